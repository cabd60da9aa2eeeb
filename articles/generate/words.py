# ruff: noqa: SIM905  (word lists read best as text)
"""The raw material of generated copy: an English vocabulary in rough frequency order,
coined words for the long tail, people's names, places for datelines, agencies, sections.

Every person named by the generator is a made-up combination of a first name and a
surname from these lists. Places are real (datelines need real places); agencies in photo
credits are real names, because the credit line is what the archive must print right.
"""

# Function words first (they are most of any English text), then news vocabulary roughly
# from common to less common. The Zipf weight of a word is taken from its rank here.
FUNCTION_WORDS = """
the of and to a in that is was he for it with as his on be at by had this not are but from or have
an they which one you were her all she there would their we him been has when who will more no if
out so said what up its about into than them can only other new some could time these two may then
do first any my now such like our over man me even most made after also did many before must through
back years where much your way well down should because each just those people how too little state
good very make world still own see men work long get here between both life being under never day
same another know while last might us great old year off come since against go came right used take
three
""".split()

COMMON_WORDS = """
government city police minister president week month today officials country council report told
public company market party members plan million billion percent group people school water house
home family children women health service number case court law security election vote support
local national international economy prices money business workers jobs industry energy power
program system policy decision question issue problem change force board center office building
street road area region town village coast river island border north south east west central capital
morning evening night hours minutes season summer winter spring autumn weather storm rain snow wind
heat fire flood drought harvest farmers food fuel oil gas electricity coal solar nuclear climate
emissions carbon research scientists study data results university hospital doctors patients
disease virus vaccine treatment care staff nurses medicine drugs trial test tests science space
technology computer software internet phone network online digital users platform app companies
bank banks interest rates inflation growth trade exports imports tariffs budget tax taxes spending
debt deficit investors shares stocks bonds profit revenue sales costs price deal agreement talks
negotiations treaty alliance army military soldiers troops defence war peace ceasefire attack
attacks violence protest protests protesters rally march strike union unions leaders leader
opposition candidate campaign voters ballot parliament congress senate assembly committee inquiry
investigation evidence judge jury trial lawyer lawyers prison sentence charges crime murder arrest
arrested suspect victims witness witnesses statement spokesman spokeswoman agency department
ministry authority authorities regulator rules regulation reform bill act proposal proposals
measures project projects construction housing rent homes property land development airport port
harbour railway train trains bus buses traffic transport cars vehicles flights airline passengers
tourists visitors museum gallery festival music film theatre book books author artist artists show
exhibition concert team teams players player coach match game games season league cup final victory
defeat goal goals points champion championship record race tournament club fans stadium olympic
medal athletes history century decades heritage culture language church community communities
residents neighbours volunteers charity families parents students teachers pupils classes schools
young older elderly population census survey poll figures statistics rate rise fall increase
decline growth cut cuts loss losses crisis shortage demand supply production factory factories plant
plants mine mining steel cars ships shipping fishing fish boats sea ocean lake forest forests trees
wildlife birds animals species park parks garden gardens farm farms crops wheat rice coffee tea
wine restaurant restaurants shops shop market markets owners owner manager director chief executive
chairman founder expert experts analyst analysts economist economists professor researcher engineer
engineers architect designer officer officers firefighters rescue emergency ambulance accident crash
collision damage repairs bridge tunnel wall walls tower towers station stations line lines route
routes map plans design building buildings site sites ground floor roof windows doors streets
square avenue district districts province provinces county counties state states nation nations
federal regional municipal mayor governor premier chancellor king queen prince princess ambassador
diplomats embassy foreign domestic global european african asian american pacific atlantic arctic
western eastern northern southern political economic social cultural financial environmental
medical legal military official private independent major minor large small high low early late
recent former current future past next previous final full open closed free safe dangerous serious
clear likely possible important significant strong weak hard easy difficult simple complex rapid
slow quick major senior junior general special common certain particular whole single double half
third fourth fifth hundred thousand dozens hundreds thousands millions several few many various
another every either neither both each such own main key top best worst better worse higher lower
larger smaller longer shorter newer older stronger weaker richer poorer said says say saying told
tell asked asks ask added adds add called calls call announced announces announce confirmed
confirms denied denies warned warns warning expected expects expect hoped hopes hope believed
believes believe thought thinks think wanted wants want needed needs need tried tries try decided
decides decide agreed agrees agree refused refuses refuse allowed allows allow helped helps help
started starts start began begins begin ended ends end continued continues continue remained
remains remain became becomes become turned turns turn moved moves move opened opens open closed
closes close built builds build made makes make took takes take gave gives give found finds find
left leaves leave kept keeps keep held holds hold brought brings bring showed shows show reported
reports reported published publishes publish released releases release launched launches launch
signed signs sign passed passes pass approved approves approve rejected rejects reject voted votes
elected elects elect appointed appoints appoint resigned resigns resign fired fires fire killed
kills kill injured injures injure died dies die survived survives survive rescued rescues rescue
destroyed destroys destroy damaged damages repaired repairs repair raised raises raise lowered
lowers lower reduced reduces reduce increased increases increase doubled doubles double dropped
drops drop fell falls fall rose rises rise grew grows grow spent spends spend paid pays pay cost
costs sold sells sell bought buys buy owned owns own ran runs run led leads lead won wins win lost
loses lose played plays play watched watches watch visited visits visit met meets meet spoke speaks
speak wrote writes write read reads learned learns learn taught teaches teach studied studies study
measured measures measure recorded records record counted counts count checked checks check tested
tests test planned plans plan designed designs design produced produces produce delivered delivers
deliver carried carries carry sent sends send received receives receive returned returns return
arrived arrives arrive travelled travels travel crossed crosses cross reached reaches reach fought
fights fight defended defends defend protected protects protect threatened threatens threaten
accused accuses accuse blamed blames blame praised praises praise criticised criticises criticise
welcomed welcomes welcome urged urges urge demanded demands demand promised promises promise claimed
claims claim argued argues argue insisted insists insist admitted admits admit explained explains
explain described describes describe suggested suggests suggest estimated estimates estimate
predicted predicts predict feared fears fear worried worries worry questioned questions question
answered answers answer investigated investigates investigate charged charges charge convicted
convicts convict sentenced sentences sentence released releases appealed appeals appeal ruled rules
rule banned bans ban blocked blocks block delayed delays delay cancelled cancels cancel postponed
suspended suspends suspend resumed resumes resume restored restores restore replaced replaces
replace expanded expands expand extended extends extend completed completes complete finished
finishes finish prepared prepares prepare organised organises organise managed manages manage
operated operates operate controlled controls control supported supports support opposed opposes
oppose joined joins join formed forms form created creates create established establishes
establish founded founds found funded funds fund financed finances finance invested invests invest
borrowed borrows borrow lent lends lend saved saves save wasted wastes waste shared shares share
divided divides divide split splits split merged merges merge acquired acquires acquire
""".split()

RARER_WORDS = """
abandon abrupt absorb abstain accolade accord accrue acreage adjourn adjudicate admiralty advocacy
aftermath aggregate agrarian ailing airstrip alderman allotment alloy almanac alpine amber amend
amnesty ample anchorage annex annual antique apiary appellate aqueduct arbitration arcade archipelago
archivist ardent armada armistice arsenal artisan ashore asphalt assay atoll attic auction austerity
avalanche aviary axle backlog bailiff ballast ballot bandstand bankruptcy barge barley barracks
barrister basalt bastion battalion bazaar beacon bedrock belfry benefactor bequest bilateral
billboard biscuit blacksmith blockade bluff boardwalk bollard bombardment bonanza borough boulder
boulevard bounty brewery brigade brine broadside brokerage bulwark bunker bureau bursary busker
byelaw cabinet cadet caldera canal canopy canteen canyon capstan caravan cargo carnival cartel
cartographer cascade cashew cathedral causeway cavalry cellar census ceramic chalk chapel charter
chateau chestnut chronicle citadel clemency cliff clinic cloister coalition cobble cocoa coffer
colliery colonnade commuter compost concourse condominium conduit confluence conscription consortium
constable consulate convoy copper coral cordon corridor cotton courier courtyard covenant crane
crater creek crescent crofter crucible crypt culvert curator curfew customs cypress dairy dam
debenture decree delta deluge depot deputy dialect dike diocese dispatch distillery dividend docket
dockyard dormitory downpour dredge drizzle dune dungeon dynasty earthquake ebb edict effigy embargo
embankment emissary enclave endowment envoy epidemic equator erosion escarpment estuary excavation
exodus expedition famine fathom felony ferry fiscal fjord flagship flotilla foothills forge foundry
freight frigate frontier furnace galley garrison gazette geyser glacier gorge granary granite
graveyard greenhouse grotto guild gully gymnasium hamlet hangar harvester headland heath hedgerow
helm hemp heritage highland hinterland homestead hostel hurricane hydrant iceberg infantry inlet
insignia insurgency interim isthmus ivory jetty jubilee junction jurisdiction kiln kiosk labyrinth
lagoon landfill landslide lantern larder lattice lava ledger levee lighthouse limestone linen
livestock lobbyist lodge loom magistrate mangrove manor manuscript marina marsh masonry meadow
memorandum merchant meteorite midwife militia millstone mint moat monastery monsoon moorland mortgage
mosaic mudslide municipality mural mutiny observatory orchard ordinance outpost overpass paddock
pagoda pamphlet parish pasture patrol pavilion peat peninsula pension pier pilgrim pipeline plateau
plaza plebiscite plough plywood porcelain portico postmaster prairie precinct quarry quay rampart
ravine reactor recession referendum refinery reservoir retrofit ridge rivet salvage sanatorium
sandbank sawmill scaffold schooner seawall sediment sentry sewer shale shipwreck shipyard shoal
shrine silo skyline slate sluice smelter sorghum spillway spire squadron stockade stockpile
subsidy substation subway sulphur summit surveyor swamp synagogue tannery telegraph terrace textile
thatch threshold tideway timber tollbooth township trawler treasury trench tributary tundra turbine
typhoon upland vaccine valley vault veranda viaduct vineyard volcano warehouse watchtower waterfront
weir wharf whistleblower windmill woodland workshop zinc
""".split()

# Syllables for the coined tail: made-up words that read as names of places, companies
# or species, so that a search finds some terms in only a handful of articles.
ONSETS = "b br c ch d dr f g gr h k l m n p pr qu r s sh st t th tr v w z".split()
NUCLEI = "a e i o u ae ai ei io oa ou".split()
CODAS = ["", "n", "r", "l", "s", "th", "x", "nd", "rk", "st", "m", "v"]

FIRST_NAMES = """
Aaliyah Abdul Ada Adaeze Adriana Ahmed Aiko Aisha Akira Alba Alejandro Aleksander Alice Amara Amelia
Ana Anders Andrea Anika Anton Arjun Astrid Aurelio Ayesha Beatriz Benedikt Bjorn Bongani Bruno Camila
Carlos Carmen Catalina Chen Chiara Chidi Chloe Clara Cosmin Dalia Daniel Dario Dawit Deepa Diego
Dmitri Eamon Elena Elif Elijah Emeka Emil Emma Esra Esteban Eva Fatima Felipe Fiona Florin Francesca
Gabriel Gaspard Giulia Grace Gustav Hana Hannah Hassan Helga Hiroshi Ibrahim Ida Ines Ingrid Isaac
Ivan Jakob James Jana Javier Jia Joao Johan Jonas Jorge Julia Kaito Kamala Karim Katarzyna Kenji
Kofi Lars Laura Leila Leon Liam Lin Lucia Luis Maja Malik Mara Marco Maria Mariam Marta Mateo Mei
Mikael Mina Mohammed Nadia Naledi Nikolai Nina Noah Nora Olga Omar Oscar Pablo Paolo Priya Rafael
Rania Ravi Rosa Ruth Said Samuel Sara Sean Sergio Shira Sofia Soren Stefan Sunita Tariq Teresa
Thabo Tomas Umar Valentina Vera Victor Wei Yara Yusuf Zainab Zofia
""".split()

SURNAMES = """
Abara Achterberg Adeyemi Aguilar Ahlberg Alvarez Amari Andersen Aoki Arslan Asante Baptiste Barros
Becker Bergstrom Bianchi Bjork Bolanos Brandt Brennan Calloway Campos Caruso Castellano Chatterjee
Cheng Clementi Costa Dahl Dantas Delacroix Dimitrov Dominguez Dubois Eklund Eriksen Esposito Farouk
Ferrante Fischer Fonseca Fontaine Fujita Gallo Garrido Gashi Gonzaga Gruber Haddad Halvorsen Hartmann
Hosseini Huang Ibarra Ikeda Iqbal Jansen Jaramillo Kamau Karimi Kaya Keller Kowalczyk Kruger Laine
Larsen Leclerc Lindqvist Lombardi Lopes Lund Mahlangu Marchetti Martins Matsumoto Mbeki Mendes
Mensah Moreau Morales Muller Murakami Nakamura Navarro Ndlovu Nielsen Novak Nowak Nunes Obi Odhiambo
Okonkwo Oliveira Olsen Ortega Osei Ozturk Pacheco Park Pereira Petrov Popescu Quintero Rahman Ramos
Rasmussen Reyes Ricci Rinaldi Rocha Romano Rossi Saito Salazar Santos Sato Schmidt Serrano Shah
Silva Sokolov Sorensen Suzuki Takahashi Tanaka Teixeira Torres Ueda Valdez Varga Vasquez Vega Vidal
Vogel Wagner Wang Weber Wojcik Yamamoto Yilmaz Zapata Zhou Zielinski
""".split()

# (place as printed in a dateline, ISO 3166 country code)
PLACES = (
    ("London", "GB"), ("Manchester", "GB"), ("Edinburgh", "GB"), ("Cardiff", "GB"), ("Belfast", "GB"),
    ("Dublin", "IE"), ("Paris", "FR"), ("Marseille", "FR"), ("Lyon", "FR"), ("Brussels", "BE"),
    ("Amsterdam", "NL"), ("Rotterdam", "NL"), ("Berlin", "DE"), ("Hamburg", "DE"), ("Munich", "DE"),
    ("Frankfurt", "DE"), ("Vienna", "AT"), ("Zurich", "CH"), ("Geneva", "CH"), ("Rome", "IT"),
    ("Milan", "IT"), ("Naples", "IT"), ("Madrid", "ES"), ("Barcelona", "ES"), ("Seville", "ES"),
    ("Lisbon", "PT"), ("Porto", "PT"), ("Copenhagen", "DK"), ("Oslo", "NO"), ("Bergen", "NO"),
    ("Tromso", "NO"), ("Stockholm", "SE"), ("Gothenburg", "SE"), ("Helsinki", "FI"), ("Reykjavik", "IS"),
    ("Warsaw", "PL"), ("Gdansk", "PL"), ("Krakow", "PL"), ("Prague", "CZ"), ("Budapest", "HU"),
    ("Bucharest", "RO"), ("Sofia", "BG"), ("Athens", "GR"), ("Istanbul", "TR"), ("Ankara", "TR"),
    ("Kyiv", "UA"), ("Vilnius", "LT"), ("Riga", "LV"), ("Tallinn", "EE"), ("Cairo", "EG"),
    ("Nairobi", "KE"), ("Mombasa", "KE"), ("Lagos", "NG"), ("Abuja", "NG"), ("Accra", "GH"),
    ("Dakar", "SN"), ("Addis Ababa", "ET"), ("Kampala", "UG"), ("Johannesburg", "ZA"),
    ("Cape Town", "ZA"), ("Durban", "ZA"), ("Casablanca", "MA"), ("Tunis", "TN"), ("Dubai", "AE"),
    ("Doha", "QA"), ("Riyadh", "SA"), ("Amman", "JO"), ("Beirut", "LB"), ("Mumbai", "IN"),
    ("New Delhi", "IN"), ("Bengaluru", "IN"), ("Chennai", "IN"), ("Kolkata", "IN"), ("Karachi", "PK"),
    ("Dhaka", "BD"), ("Colombo", "LK"), ("Kathmandu", "NP"), ("Bangkok", "TH"), ("Hanoi", "VN"),
    ("Ho Chi Minh City", "VN"), ("Singapore", "SG"), ("Kuala Lumpur", "MY"), ("Jakarta", "ID"),
    ("Manila", "PH"), ("Hong Kong", "HK"), ("Taipei", "TW"), ("Seoul", "KR"), ("Busan", "KR"),
    ("Tokyo", "JP"), ("Osaka", "JP"), ("Sapporo", "JP"), ("Beijing", "CN"), ("Shanghai", "CN"),
    ("Sydney", "AU"), ("Melbourne", "AU"), ("Perth", "AU"), ("Brisbane", "AU"), ("Auckland", "NZ"),
    ("Wellington", "NZ"), ("Toronto", "CA"), ("Montreal", "CA"), ("Vancouver", "CA"), ("Halifax", "CA"),
    ("Ottawa", "CA"), ("New York", "US"), ("Washington", "US"), ("Chicago", "US"), ("Boston", "US"),
    ("Los Angeles", "US"), ("San Francisco", "US"), ("Seattle", "US"), ("Houston", "US"),
    ("Miami", "US"), ("New Orleans", "US"), ("Denver", "US"), ("Anchorage", "US"), ("Mexico City", "MX"),
    ("Guadalajara", "MX"), ("Havana", "CU"), ("Bogota", "CO"), ("Lima", "PE"), ("Quito", "EC"),
    ("Santiago", "CL"), ("Buenos Aires", "AR"), ("Montevideo", "UY"), ("Sao Paulo", "BR"),
    ("Rio de Janeiro", "BR"), ("Brasilia", "BR"), ("Caracas", "VE"), ("La Paz", "BO"),
)  # fmt: skip

# Wire agencies: (name, free-text byline they file under).
WIRE_AGENCIES = (
    ("Reuters", "Reuters staff"), ("AFP", "AFP"), ("Associated Press", "The Associated Press"),
    ("dpa", "dpa"), ("EFE", "EFE"), ("Kyodo News", "Kyodo News"), ("ANSA", "ANSA"), ("Bloomberg News", "Bloomberg"),
)  # fmt: skip

# Photo credit chains: (agency, distributor or "").
PHOTO_AGENCIES = (
    ("AFP", "Getty Images"), ("Reuters", ""), ("AP", ""), ("EPA-EFE", "Shutterstock"), ("Anadolu", "Getty Images"),
    ("Bloomberg", "Getty Images"), ("NurPhoto", "Getty Images"), ("SOPA Images/LightRocket", "Getty Images"),
    ("Xinhua", ""), ("picture alliance", "Getty Images"), ("PA Images", "Alamy"), ("Pool", "Getty Images"),
)  # fmt: skip

SECTIONS = (
    ("world", "World"), ("politics", "Politics"), ("business", "Business"), ("local", "Local"),
    ("science", "Science"), ("technology", "Technology"), ("health", "Health"), ("environment", "Environment"),
    ("culture", "Culture"), ("sport", "Sport"), ("travel", "Travel"), ("opinion", "Opinion"),
)  # fmt: skip

SITES = (
    # (domain, name, time zone): the first is the default site of migration 0002.
    ("localhost", "The Harbour Courier", "Europe/London"),
    ("127.0.0.1", "Coastline Weekly", "America/Toronto"),
    ("site3.localhost", "The Pacific Ledger", "Asia/Tokyo"),
    ("site4.localhost", "Southern Cross Daily", "Australia/Sydney"),
    ("site5.localhost", "The Meridian Post", "America/Sao_Paulo"),
)  # fmt: skip

WITHDRAWN_REASONS = (
    "This article has been withdrawn for legal reasons.",
    "This article was withdrawn because it did not meet our editorial standards.",
    "This article has been removed at the request of a court.",
)

CORRECTION_TEMPLATES = (
    ("correction", "An earlier version of this article misstated the {noun} figure. It is {n}, not {m}."),
    ("correction", "An earlier version of this article misspelled the name of {person}."),
    ("clarification", "This article has been amended to make clear that the {noun} was not approved."),
    ("update", "This article was updated with a statement from {person}."),
)
