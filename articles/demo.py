"""Original demo content for ``manage.py seed_demo``: two sites, authors, photos drawn with
Pillow, and seven articles written for this project.

Every person, agency and quotation here is fictional; the places are real. The pictures
are drawn, not photographed, and are deterministic: the same scene always gives the same
JPEG bytes, so re-seeding finds the stored image by its SHA-256 instead of adding a copy.
"""

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

# --- Specifications --------------------------------------------------------------------


@dataclass(frozen=True)
class SiteSpec:
    domain: str
    name: str
    time_zone: str
    comments_enabled: bool = True
    comments_notice: str = ""
    is_default: bool = False  # the Site row with pk=1, seeded by migration 0002


@dataclass(frozen=True)
class AuthorSpec:
    slug: str
    name: str
    affiliation: str
    bio: str = ""
    kind: str = "person"
    is_staff_member: bool = False


@dataclass(frozen=True)
class PhotoSpec:
    key: str  # also the uploaded file name, "<key>.jpg"
    scene: str  # one of SCENES
    label: str  # drawn on the picture; ASCII only (the bundled font has no other glyphs)
    alt_text: str
    caption: str
    creator: str
    agency: str
    distributor: str
    copyright_notice: str = ""
    credit_text: str = ""  # an override printed instead of the chain


@dataclass(frozen=True)
class BylineData:
    author: str  # an AuthorSpec slug
    role: str = "author"
    credit_text: str = ""


@dataclass(frozen=True)
class ArticleSpec:
    site: str  # a SiteSpec domain
    slug: str
    headline: str
    dek: str
    dateline_place: str
    dateline_country: str
    section: str  # a SECTIONS slug
    tags: tuple[str, ...]
    bylines: tuple[BylineData, ...]
    body: str
    # Publication: "published" (days_ago > 0), "scheduled" (days_ago < 0) or "draft".
    status: str
    days_ago: int = 0
    at: tuple[int, int] = (8, 0)  # local time of day in the site's time zone
    photos: tuple[str, ...] = ()  # PhotoSpec keys: the first is the lead, the rest inline
    dateline_source: str = ""
    also_on: tuple[str, ...] = ()  # domains of sites the article is syndicated to
    correction: str = ""


# --- Sites, sections, authors ----------------------------------------------------------

COURIER = "localhost"
COASTLINE = "127.0.0.1"
COMMENTS_NOTICE = "We are temporarily suspending article commenting."

SITES = (
    SiteSpec(domain=COURIER, name="The Harbour Courier", time_zone="Europe/London", is_default=True),
    SiteSpec(
        domain=COASTLINE,
        name="Coastline Weekly",
        time_zone="America/Toronto",
        comments_enabled=False,
        comments_notice=COMMENTS_NOTICE,
    ),
)

SECTIONS = {
    "local": "Local",
    "world": "World",
    "business": "Business",
    "science": "Science",
    "culture": "Culture",
}

AUTHORS = (
    AuthorSpec(
        slug="maren-okafor",
        name="Maren Okafor",
        affiliation="The Harbour Courier",
        bio="Maren Okafor covers the coast, the harbour and the weather that shapes both.",
        is_staff_member=True,
    ),
    AuthorSpec(
        slug="dara-whitcombe",
        name="Dara Whitcombe",
        affiliation="The Harbour Courier",
        bio="Dara Whitcombe reports on transport and local government.",
        is_staff_member=True,
    ),
    AuthorSpec(
        slug="tomas-ferreira-lind",
        name="Tomás Ferreira-Lind",
        affiliation="The Harbour Courier",
        bio="Tomás Ferreira-Lind is the Courier's correspondent in Lisbon.",
        is_staff_member=True,
    ),
    AuthorSpec(
        slug="sigrid-aalberg",
        name="Sigrid Aalberg",
        affiliation="The Harbour Courier",
        bio="Sigrid Aalberg writes about science and the Arctic from Tromsø.",
        is_staff_member=True,
    ),
    AuthorSpec(
        slug="aleksandra-wisniewska",
        name="Aleksandra Wiśniewska",
        affiliation="The Harbour Courier",
        bio="Aleksandra Wiśniewska covers central Europe from Gdańsk.",
        is_staff_member=True,
    ),
    AuthorSpec(
        slug="elodie-marchetti-roy",
        name="Élodie Marchetti-Roy",
        affiliation="Coastline Weekly",
        bio="Élodie Marchetti-Roy is Coastline Weekly's city reporter in Montréal.",
        is_staff_member=True,
    ),
    AuthorSpec(
        slug="ines-valcarcel",
        name="Ines Valcárcel",
        affiliation="Boréal Photo",
        bio="Ines Valcárcel is a news photographer based in Montréal.",
    ),
    AuthorSpec(
        slug="priya-raman-holt",
        name="Priya Raman-Holt",
        affiliation="Freelance",
        bio="Priya Raman-Holt is a freelance science writer.",
    ),
    AuthorSpec(
        slug="meridian-press",
        name="Meridian Press",
        affiliation="Meridian Press",
        bio="Meridian Press is an international news agency (fictional, for this demo).",
        kind="organization",
    ),
)

# --- Photos ----------------------------------------------------------------------------

LUMEN = "Lumen Images"
PHOTOS = (
    PhotoSpec(
        key="porthaven-breakwater",
        scene="harbour",
        label="PORTHAVEN - EASTERN BREAKWATER",
        alt_text="A long stone breakwater curves out to sea under a pale morning sky, a white lighthouse at its end.",
        caption="The rebuilt eastern breakwater at Porthaven on the morning it reopened to walkers.",
        creator="Rhiannon Tait",
        agency="Westmark Photo",
        distributor=LUMEN,
        copyright_notice="© Westmark Photo",
    ),
    PhotoSpec(
        key="porthaven-walkway",
        scene="walkway",
        label="PORTHAVEN - BREAKWATER WALKWAY",
        alt_text="A paved walkway with railings runs along the top of a sea wall towards the horizon.",
        caption="The walkway on top of the wall is designed to flood in a storm and drain as the tide falls.",
        creator="Ewan Prideaux",
        agency="Westmark Photo",
        distributor=LUMEN,
        copyright_notice="© Westmark Photo",
    ),
    PhotoSpec(
        key="lisbon-azulejos",
        scene="tiles",
        label="LISBON - AZULEJO PANEL",
        alt_text="Blue, white and yellow painted tiles in a repeating pattern, several of them missing.",
        caption="A tiled façade in the Graça district, due to be taken down panel by panel next week.",
        creator="Catarina Moura-Vidal",
        agency="Meridian Press",
        distributor=LUMEN,
        copyright_notice="© Meridian Press",
    ),
    PhotoSpec(
        key="nairobi-rooftop-solar",
        scene="solar",
        label="NAIROBI - ROOFTOP SOLAR",
        alt_text="Rows of dark blue solar panels on the sloping roofs of apartment blocks under a bright sun.",
        caption="Solar panels on the roofs of a housing co-operative in the east of Nairobi.",
        creator="Achieng Otieno",
        agency="Meridian Press",
        distributor=LUMEN,
        copyright_notice="© Meridian Press",
    ),
    PhotoSpec(
        key="montreal-night-street",
        scene="snow",
        label="MONTREAL - VERDUN, 3 A.M.",
        alt_text="A snowy residential street at night, lit by orange street lamps, with snowbanks along the kerbs.",
        caption="A street in Verdun shortly before a night crew arrived to clear it.",
        creator="Ines Valcárcel",
        agency="Boréal Photo",
        distributor="Northlight Images",
        copyright_notice="© Ines Valcárcel",
    ),
    PhotoSpec(
        key="montreal-electric-loader",
        scene="loader",
        label="MONTREAL - ELECTRIC LOADER",
        alt_text="A snow loader with an amber beacon throws snow into the air on a dark street.",
        caption="One of four battery-electric loaders being tested in two boroughs this winter.",
        creator="Ines Valcárcel",
        agency="Boréal Photo",
        distributor="Northlight Images",
        copyright_notice="© Ines Valcárcel",
    ),
    PhotoSpec(
        key="tromso-whale-fluke",
        scene="whales",
        label="TROMSO - HUMPBACK FLUKE",
        alt_text="The dark tail of a whale rises out of grey water in front of snow-covered mountains.",
        caption="A humpback whale dives in a fjord north of Tromsø. Its fluke markings identify it.",
        creator="Jonas Eikrem",
        agency="Arctic Sound Observatory",
        distributor="Northlight Images",
        copyright_notice="© Arctic Sound Observatory",
        credit_text="Handout photo: Arctic Sound Observatory",
    ),
    PhotoSpec(
        key="gdansk-cranes",
        scene="cranes",
        label="GDANSK - SHIPYARD CRANES",
        alt_text="The silhouettes of tall shipyard cranes against an orange evening sky, reflected in the water.",
        caption="Cranes over the Gdańsk shipyard at dusk.",
        creator="Paweł Zieliński",
        agency="Meridian Press",
        distributor=LUMEN,
        copyright_notice="© Meridian Press",
    ),
)

# --- Articles --------------------------------------------------------------------------

CORRECTION = (
    "An earlier version of this article said the repaired section of the breakwater was "
    "140 metres long. It is 410 metres."
)


def _body(*paragraphs: str) -> str:
    """Join paragraphs into body HTML; a paragraph given as ``"<figure>N"`` becomes the
    placeholder of inline photo N."""
    parts = []
    for paragraph in paragraphs:
        if paragraph.startswith("<figure>"):
            parts.append(f'<figure data-placement="{paragraph.removeprefix("<figure>")}"></figure>')
        else:
            parts.append(f"<p>{paragraph}</p>")
    return "\n".join(parts)


ARTICLES = (
    ArticleSpec(
        site=COURIER,
        slug="porthaven-harbour-wall-reopens",
        headline="Porthaven's harbour wall reopens two winters after the storm that breached it",
        dek="Engineers rebuilt 410 metres of the eastern breakwater with a higher crest and a walkway "
        "that floods by design.",
        dateline_place="Porthaven",
        dateline_country="GB",
        section="local",
        tags=("Harbour", "Storms", "Infrastructure"),
        bylines=(
            BylineData("maren-okafor", "reporter"),
            BylineData("dara-whitcombe", "additional_reporting"),
        ),
        photos=("porthaven-breakwater", "porthaven-walkway"),
        status="published",
        days_ago=1,
        at=(7, 30),
        correction=CORRECTION,
        body=_body(
            "The eastern breakwater of Porthaven harbour reopened to walkers on Saturday morning, nearly two "
            "years after a January storm tore a gap in it wide enough to drive a lorry through.",
            "Engineers from the county council rebuilt 410 metres of the wall, raising its crest by 1.2 metres "
            "and facing the seaward side with interlocking concrete units designed to break waves before they "
            "reach the stonework. The work cost £14.8 million, most of it from a national coastal resilience "
            "fund.",
            "“We did not just put back what was there,” said Hollis Brandreth, the council's chief harbour "
            "engineer. “The old wall was built for the sea of 1890. This one is built for the sea we expect "
            "in 2090.”",
            "<figure>1",
            "The most visible change is the walkway along the top, which sits lower than the crest and slopes "
            "gently towards the harbour. In a storm it is meant to flood and drain, not to hold the water "
            "back. Gates at each end close automatically when the tide gauge passes a set level.",
            "Fishing crews, who moved their boats to neighbouring ports after the breach, said the reopening "
            "came late in the season but was welcome. “Two winters of driving forty minutes to our own "
            "boats,” said Jenna Polwhele, who skippers a crab boat. “Tomorrow we are home.”",
            "Not everyone is pleased. A residents' group on Quay Terrace says the new wall blocks the view of "
            "the lighthouse from ground-floor windows, and has asked the council to reconsider the height of "
            "a planned second phase on the western arm.",
            "The council said consultation on that phase would begin in the spring, and that the eastern "
            "walkway would close whenever an amber weather warning is in force.",
        ),
    ),
    ArticleSpec(
        site=COURIER,
        slug="lisbon-tile-rescuers",
        headline="Lisbon's tile rescuers work against the clock as old façades come down",
        dek="A volunteer register has catalogued some 11,000 azulejos saved from building sites since 2019.",
        dateline_place="Lisbon",
        dateline_country="PT",
        section="culture",
        tags=("Heritage", "Lisbon"),
        bylines=(BylineData("tomas-ferreira-lind", "author"),),
        photos=("lisbon-azulejos",),
        status="published",
        days_ago=3,
        at=(9, 15),
        also_on=(COASTLINE,),
        body=_body(
            "Before the scaffolding goes up on an old building in Lisbon's Graça district, Beatriz Salgueiro "
            "likes to get there first, with a notebook, a camera and a letter from the city's heritage office.",
            "Salgueiro, a retired chemistry teacher, is one of about 60 volunteers who keep a register of the "
            "painted ceramic tiles, or azulejos, that cover many of the city's nineteenth-century façades. "
            "Since 2019 the group says it has photographed and catalogued some 11,000 tiles taken from "
            "buildings that were being demolished or gutted, and found new homes for most of them.",
            "“A façade is a page of the city's diary,” she said, standing in front of a four-storey building "
            "whose blue and yellow pattern will be taken down panel by panel next week. “You cannot always "
            "keep the page. But you can keep the words.”",
            "Theft was once the main worry. Owners now need a permit to strip a tiled façade and must hand "
            "over tiles that cannot stay in place. Volunteers say the bigger risk today is quiet loss: tiles "
            "broken during rushed renovations, or stored in basements and forgotten.",
            "The register records where each panel came from, its pattern, its maker's mark where one "
            "survives, and where it went. Two schools, a hospital waiting room and a metro station have taken "
            "panels; the rest go to a warehouse run by the city museum.",
            "The heritage office said it would put the register online next year, so that owners repairing "
            "their own walls can find matching tiles.",
        ),
    ),
    ArticleSpec(
        site=COURIER,
        slug="nairobi-solar-cooperatives-sell-power",
        headline="Rooftop solar co-operatives in Nairobi start selling power back to the grid",
        dek="Three housing co-operatives signed the first net-metering contracts under rules finalised this year.",
        dateline_place="Nairobi",
        dateline_country="KE",
        dateline_source="Meridian Press",
        section="business",
        tags=("Energy", "Solar power", "Kenya"),
        bylines=(BylineData("meridian-press", "reporter", credit_text="Meridian Press staff"),),
        photos=("nairobi-rooftop-solar",),
        status="published",
        days_ago=6,
        at=(11, 0),
        also_on=(COASTLINE,),
        body=_body(
            "Three housing co-operatives in Nairobi have become the first in the city to sign contracts that "
            "pay them for electricity their rooftop solar panels feed into the national grid, the utility "
            "said on Tuesday.",
            "The contracts follow net-metering rules that the energy regulator finalised earlier this year "
            "after a long consultation. Households and co-operatives with systems of up to one megawatt can "
            "now export surplus power during the day and draw it back at night, settling the difference on "
            "their monthly bill.",
            "The largest of the three, a 240-flat estate in the east of the city, installed 1,100 panels on "
            "its roofs last year with a loan from a members' savings scheme. Its treasurer, Grace Wambui, said "
            "the estate had been running its water pumps and stairwell lights on power it generated but "
            "could not store. “At noon we were giving electricity away,” she said. “Now the meter runs "
            "backwards.”",
            "The utility said the first contracts would be reviewed after six months to check how exports "
            "affect local transformers, some of which date from the 1980s.",
            "Installers expect demand to rise. An industry association said inquiries from apartment blocks "
            "had doubled since the rules were published, though it warned that many older buildings would "
            "need roof repairs before panels could be fitted.",
        ),
    ),
    ArticleSpec(
        site=COASTLINE,
        slug="montreal-quieter-snow-ploughs",
        headline="Montréal tests quieter snow ploughs on its night shift",
        dek="Electric loaders and rubber-edged blades are on trial in two boroughs after complaints about "
        "noise at 3 a.m.",
        dateline_place="Montréal",
        dateline_country="CA",
        section="local",
        tags=("Winter", "Transport"),
        bylines=(
            BylineData("elodie-marchetti-roy", "reporter"),
            BylineData("ines-valcarcel", "photographer"),
        ),
        photos=("montreal-night-street", "montreal-electric-loader"),
        status="published",
        days_ago=9,
        at=(18, 0),
        body=_body(
            "For most Montrealers the sound of winter is not the wind but machinery: the scrape of blades on "
            "asphalt and the reversing beeps of the loaders that clear the streets between midnight and dawn.",
            "This season two boroughs are trying to turn the volume down. Crews in Rosemont–La Petite-Patrie "
            "and Verdun are testing four battery-electric loaders and ploughs fitted with rubber-edged "
            "blades, and have swapped the usual reversing beepers for alarms that sound like a short hiss and "
            "fade within a few metres.",
            "“We get more complaints about noise than about snow,” said Mathieu Lévesque-Arcand, who "
            "supervises the Verdun night crews. “People accept that the street must be cleared. They do not "
            "accept being woken up four times.”",
            "<figure>1",
            "The city will compare running costs, breakdowns and clearing times with those of diesel machines "
            "on similar routes, and residents along the test routes have been asked to log disturbances on a "
            "short online form. Early figures suggest the electric loaders can work a full eight-hour shift "
            "at minus 20 degrees before they need charging.",
            "Snow removal is one of the city's largest winter expenses, and contractors say electric machines "
            "cost nearly twice as much to buy. The city said any wider purchase would wait for the "
            "end-of-season report in May.",
        ),
    ),
    ArticleSpec(
        site=COURIER,
        slug="tromso-citizen-scientists-whales",
        headline="Citizen scientists help Tromsø map a record winter gathering of whales",
        dek="Ferry passengers and fishing crews logged more than 2,000 sightings through a phone app this winter.",
        dateline_place="Tromsø",
        dateline_country="NO",
        section="science",
        tags=("Arctic", "Wildlife", "Citizen science"),
        bylines=(
            BylineData("sigrid-aalberg", "reporter"),
            BylineData("priya-raman-holt", "contributor"),
        ),
        photos=("tromso-whale-fluke",),
        status="published",
        days_ago=14,
        at=(8, 45),
        body=_body(
            "When the herring arrive in the fjords around Tromsø in late autumn, the whales follow, and so, "
            "in recent years, do thousands of visitors hoping to see them.",
            "This winter researchers at the Arctic Sound Observatory asked those visitors, along with ferry "
            "crews and fishing boats, to help. Using a free phone app, they logged more than 2,000 sightings "
            "of humpback whales and orcas between November and February, each with a time, a position and, "
            "where possible, a photograph of the animal's tail fluke.",
            "The flukes matter because their markings are as individual as fingerprints. By matching the "
            "photographs against a catalogue built up over two decades, the observatory identified 412 "
            "individual humpbacks, the most it has recorded in a single season.",
            "“We have four researchers and one boat,” said Kari Nygård, who leads the project. “The public "
            "gave us a thousand pairs of eyes.”",
            "The data also showed where whales and boats meet most often. Sightings clustered in two narrow "
            "sounds used by tour boats, and the observatory has shared its maps with the harbour authority, "
            "which is considering speed limits there next season.",
            "Nygård said the app would keep running through the summer, when far fewer whales are present, "
            "to learn where the animals go once the herring leave.",
        ),
    ),
    ArticleSpec(
        site=COURIER,
        slug="porthaven-ferry-timetable-review",
        headline="Porthaven ferry timetable review to be published on Friday",
        dek="Winter sailings to the islands are set to return, but the late weekday crossing is in doubt.",
        dateline_place="Porthaven",
        dateline_country="GB",
        section="local",
        tags=("Ferries", "Transport"),
        bylines=(BylineData("dara-whitcombe", "reporter"),),
        status="scheduled",
        days_ago=-2,
        at=(6, 0),
        body=_body(
            "The operator of the Porthaven island ferries will publish the findings of its timetable review "
            "on Friday, after a year in which cancellations left some island residents unable to reach "
            "hospital appointments on the mainland.",
            "A draft seen by councillors restores the winter morning sailing that was cut two years ago and "
            "adds a second vessel on summer Saturdays. But the last weekday return crossing, at 21:40, may be "
            "replaced by an on-demand water taxi, a change that island businesses say would make evening work "
            "on the mainland impossible.",
            "“A timetable is a promise,” said Corran Tregellas, who chairs the islands' community council. "
            "“We want to see whether this one is a promise they can keep.”",
            "The operator said crew shortages, not money, had caused most cancellations, and that a training "
            "scheme for deckhands from the islands would start in the autumn. The review will be open for "
            "comment for six weeks after it is published.",
        ),
    ),
    ArticleSpec(
        site=COURIER,
        slug="gdansk-shipyard-cranes-listing",
        headline="Gdańsk shipyard cranes move a step closer to listed status",
        dek="Conservation officers recommend protecting eight cranes that have stood over the yard since the 1950s.",
        dateline_place="Gdańsk",
        dateline_country="PL",
        section="world",
        tags=("Heritage", "Shipbuilding"),
        bylines=(BylineData("aleksandra-wisniewska", "reporter"),),
        photos=("gdansk-cranes",),
        status="draft",
        body=_body(
            "Eight cranes that have towered over the shipyard in Gdańsk since the 1950s should be protected "
            "as historic monuments, the regional conservation office recommended on Monday, in a decision "
            "that could shape how the waterfront is redeveloped.",
            "The cranes, painted in faded reds and greens, are among the last working structures on a site "
            "where shipbuilding has largely given way to offices, flats and a museum. Developers had proposed "
            "keeping three of them as landmarks and dismantling the rest.",
            "“Three cranes are a souvenir,” said Zofia Kalinowska, an architectural historian who campaigned "
            "for the listing. “Eight cranes are a skyline.”",
            "The recommendation now goes to the regional register of monuments. If it is approved, owners "
            "would need permission to alter or remove the cranes, and would be expected to keep them painted "
            "and structurally sound.",
            "A spokesperson for the largest landowner said the company respected the site's history and would "
            "study the recommendation before deciding whether to appeal.",
        ),
    ),
)


# --- Pictures --------------------------------------------------------------------------

WIDTH, HEIGHT = 1200, 800
Colour = tuple[int, int, int]


def _gradient(top: Colour, bottom: Colour, size: tuple[int, int]) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size)
    return ImageOps.colorize(ramp, black=top, white=bottom)


def _sky_and_sea(sky: tuple[Colour, Colour], sea: tuple[Colour, Colour], horizon: int) -> Image.Image:
    picture = _gradient(*sky, (WIDTH, HEIGHT))
    picture.paste(_gradient(*sea, (WIDTH, HEIGHT - horizon)), (0, horizon))
    return picture


def _harbour(rnd: random.Random) -> Image.Image:
    picture = _sky_and_sea(((96, 132, 180), (246, 204, 170)), ((70, 110, 140), (24, 48, 70)), 470)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((820, 330, 940, 450), fill=(255, 236, 200))
    draw.polygon([(0, 640), (0, 720), (420, 600), (880, 500), (900, 470), (860, 472), (400, 560)], fill=(92, 88, 84))
    draw.polygon([(0, 720), (0, 760), (430, 630), (900, 500), (880, 500), (420, 600)], fill=(60, 58, 56))
    draw.rectangle((866, 330, 896, 472), fill=(245, 245, 240))
    draw.rectangle((860, 312, 902, 332), fill=(190, 40, 40))
    for _ in range(40):
        x, y = rnd.randrange(0, WIDTH), rnd.randrange(500, 760)
        draw.line((x, y, x + rnd.randrange(20, 80), y), fill=(150, 180, 200), width=2)
    return picture


def _walkway(rnd: random.Random) -> Image.Image:
    picture = _sky_and_sea(((150, 160, 172), (214, 218, 222)), ((96, 120, 130), (58, 78, 90)), 380)
    draw = ImageDraw.Draw(picture)
    draw.polygon([(380, 800), (1200, 800), (1200, 560), (640, 380), (600, 380)], fill=(168, 160, 150))
    draw.polygon([(600, 380), (640, 380), (1200, 560), (1200, 600)], fill=(120, 114, 108))
    for i in range(12):
        x = 640 + i * 48
        y = 380 + (x - 640) * 0.32
        draw.line((x, y, x, y - 30 - i * 6), fill=(40, 40, 44), width=3 + i // 4)
    draw.line((640, 350, 1200, 470), fill=(40, 40, 44), width=4)
    for _ in range(30):
        x, y = rnd.randrange(0, 560), rnd.randrange(400, 780)
        draw.arc((x, y, x + 60, y + 16), 200, 340, fill=(200, 214, 220), width=2)
    return picture


def _tiles(rnd: random.Random) -> Image.Image:
    picture = Image.new("RGB", (WIDTH, HEIGHT), (238, 234, 222))
    draw = ImageDraw.Draw(picture)
    blue, yellow, white = (28, 66, 150), (224, 170, 40), (244, 242, 234)
    size = 100
    for row in range(HEIGHT // size):
        for col in range(WIDTH // size):
            x, y = col * size, row * size
            if rnd.random() < 0.06:
                draw.rectangle((x, y, x + size - 1, y + size - 1), fill=(150, 140, 128))
                continue
            draw.rectangle((x + 2, y + 2, x + size - 3, y + size - 3), fill=white)
            draw.polygon([(x + 50, y + 8), (x + 92, y + 50), (x + 50, y + 92), (x + 8, y + 50)], fill=blue)
            draw.ellipse((x + 30, y + 30, x + 70, y + 70), fill=yellow)
            draw.ellipse((x + 42, y + 42, x + 58, y + 58), fill=blue)
            for cx, cy in ((x, y), (x + size, y), (x, y + size), (x + size, y + size)):
                draw.pieslice((cx - 22, cy - 22, cx + 22, cy + 22), 0, 360, fill=blue)
    return picture


def _solar(rnd: random.Random) -> Image.Image:
    picture = _gradient((40, 110, 200), (170, 210, 240), (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((960, 60, 1100, 200), fill=(255, 244, 190))
    for i, base in enumerate((520, 610, 700)):
        left = -60 + i * 90
        while left < WIDTH:
            width = rnd.randrange(260, 360)
            ridge = base - rnd.randrange(90, 140)
            draw.polygon([(left, base), (left + width // 2, ridge), (left + width, base)], fill=(150, 96, 70))
            draw.rectangle((left, base, left + width, HEIGHT), fill=(210, 200, 186) if i % 2 else (196, 184, 168))
            for p in range(3):
                px = left + width // 2 + 10 + p * 34
                py = ridge + 20 + p * 24
                draw.polygon([(px, py), (px + 30, py + 22), (px + 30, py + 52), (px, py + 30)], fill=(22, 40, 90))
            left += width + rnd.randrange(10, 40)
    return picture


def _snow(rnd: random.Random) -> Image.Image:
    picture = _gradient((12, 16, 40), (60, 50, 80), (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(picture)
    draw.polygon([(0, 800), (1200, 800), (700, 420), (500, 420)], fill=(70, 66, 84))
    draw.polygon([(0, 800), (0, 640), (500, 420), (520, 420), (220, 800)], fill=(226, 228, 240))
    draw.polygon([(1200, 800), (1200, 640), (700, 420), (680, 420), (980, 800)], fill=(226, 228, 240))
    for x, top in ((140, 260), (380, 360), (820, 360), (1060, 260)):
        draw.line((x, top, x, 800 if x in (140, 1060) else 470), fill=(30, 30, 36), width=6)
        draw.ellipse((x - 40, top - 30, x + 40, top + 30), fill=(255, 190, 110))
    for _ in range(500):
        x, y, r = rnd.randrange(WIDTH), rnd.randrange(HEIGHT), rnd.choice((1, 2, 2, 3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(240, 240, 250))
    return picture


def _loader(rnd: random.Random) -> Image.Image:
    picture = _gradient((10, 12, 30), (44, 40, 62), (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 600, WIDTH, HEIGHT), fill=(80, 78, 92))
    draw.polygon([(0, 600), (0, 520), (300, 560), (520, 600)], fill=(226, 228, 240))
    draw.rectangle((420, 400, 820, 560), fill=(230, 160, 30))
    draw.rectangle((640, 300, 800, 420), fill=(40, 44, 56))
    draw.rectangle((660, 316, 784, 396), fill=(130, 170, 200))
    draw.polygon([(420, 470), (300, 520), (260, 600), (420, 600)], fill=(60, 60, 66))
    for cx in (500, 740):
        draw.ellipse((cx - 62, 520, cx + 62, 644), fill=(24, 24, 28))
        draw.ellipse((cx - 24, 558, cx + 24, 606), fill=(120, 120, 130))
    draw.ellipse((706, 270, 738, 302), fill=(255, 170, 40))
    for _ in range(350):
        x, y = rnd.randrange(120, 420), rnd.randrange(300, 600)
        r = rnd.choice((2, 3, 4))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(236, 236, 246))
    return picture


def _whales(rnd: random.Random) -> Image.Image:
    picture = _sky_and_sea(((170, 184, 200), (222, 226, 232)), ((92, 110, 124), (40, 54, 66)), 420)
    draw = ImageDraw.Draw(picture)
    ridge = [(0, 420)]
    for x in range(0, WIDTH + 100, 100):
        ridge.append((x, 420 - rnd.randrange(80, 240)))
    ridge.append((WIDTH, 420))
    draw.polygon(ridge, fill=(90, 98, 112))
    for (x1, y1), (x2, y2) in zip(ridge[1:-2], ridge[2:-1], strict=True):
        peak_x, peak_y = (x1, y1) if y1 < y2 else (x2, y2)
        draw.polygon([(peak_x - 30, peak_y + 40), (peak_x, peak_y), (peak_x + 30, peak_y + 40)], fill=(246, 248, 250))
    draw.polygon([(560, 640), (600, 520), (520, 440), (600, 470), (640, 500), (680, 470), (760, 440), (680, 520),
                  (720, 640)], fill=(26, 28, 34))  # fmt: skip
    draw.ellipse((470, 620, 810, 680), fill=(210, 222, 230))
    return picture


def _cranes(rnd: random.Random) -> Image.Image:
    picture = _sky_and_sea(((80, 50, 110), (250, 150, 70)), ((200, 110, 70), (40, 30, 60)), 600)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 560, WIDTH, 600), fill=(30, 24, 40))
    for i, x in enumerate((90, 240, 420, 560, 700, 860, 1000, 1120)):
        top = 150 + rnd.randrange(0, 160)
        colour = (34, 26, 44)
        draw.line((x, 560, x, top), fill=colour, width=14)
        for y in range(top + 20, 560, 40):
            draw.line((x - 7, y, x + 7, y + 40), fill=colour, width=3)
        jib = 160 + rnd.randrange(0, 120)
        direction = 1 if i % 2 else -1
        draw.line((x - 60 * direction, top + 20, x + jib * direction, top + 30), fill=colour, width=8)
        draw.line((x, top - 40, x + jib * direction, top + 30), fill=colour, width=2)
        draw.line((x + (jib - 20) * direction, top + 30, x + (jib - 20) * direction, top + 160), fill=colour, width=2)
        draw.line((x, top - 40, x, top), fill=colour, width=6)
        reflection_top = 600 + (560 - top) // 4
        draw.line((x, 600, x, reflection_top), fill=(110, 60, 60), width=8)
    return picture


SCENES = {
    "harbour": _harbour,
    "walkway": _walkway,
    "tiles": _tiles,
    "solar": _solar,
    "snow": _snow,
    "loader": _loader,
    "whales": _whales,
    "cranes": _cranes,
}


def picture_bytes(scene: str, label: str) -> bytes:
    """Draw the demo picture ``scene`` with ``label`` on it and return it as a 1200×800 JPEG.

    Deterministic: the same scene and label give the same bytes (with the same Pillow),
    which is what lets ``image_create`` recognise a picture it already stored.
    """
    picture = SCENES[scene](random.Random(f"{scene}:{label}"))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, HEIGHT - 52, WIDTH, HEIGHT), fill=(18, 18, 22))
    font = ImageFont.load_default(size=24)
    draw.text((24, HEIGHT - 40), f"{label}  ·  demo picture drawn with Pillow", font=font, fill=(236, 236, 236))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
