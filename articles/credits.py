"""Photo credit lines: rendered from the structured credit chain, and parsed back into it.

``render_credit_line`` prints the chain in house style ("Creator/AGENCY via Distributor").
``parse_credit_line`` reads the free-text credit found in a file's metadata (IPTC Credit,
``photoshop:Credit``) or typed by a wire service, in the many shapes newsrooms use, into
that chain; what it cannot read with confidence it keeps, untouched, as ``credit_text``.
"""

import re
import unicodedata
from dataclasses import dataclass


def render_credit_line(*, creator: str = "", agency: str = "", distributor: str = "") -> str:
    """Render the credit chain the way newsrooms print it.

    ``creator/agency via distributor``, leaving out whatever is missing:
    "Anatolii Stepanov/AFP via Getty Images", "Anatolii Stepanov/AFP", "AFP via Getty Images",
    "Anatolii Stepanov via Getty Images", "AFP", "Getty Images". A distributor equal to the
    agency is printed once.
    """
    creator, agency, distributor = (part.strip() for part in (creator, agency, distributor))
    if distributor and distributor.casefold() in {agency.casefold(), creator.casefold()}:
        distributor = ""
    if agency and agency.casefold() == creator.casefold():
        agency = ""
    line = "/".join(part for part in (creator, agency) if part)
    if distributor:
        line = f"{line} via {distributor}" if line else distributor
    return line


# --- Parsing ---------------------------------------------------------------------------

# Names that are organisations, never a photographer: wire agencies, picture agencies and
# distributors, and the roles that stand in for a person ("Pool", "Handout"). Compared
# case-insensitively, so "REUTERS" and "Reuters" are both the agency.
KNOWN_AGENCIES = frozenset(
    name.casefold()
    for name in (
        "AAP", "ABACA", "Abaca Press", "AFP", "Agence France-Presse", "Agencia EFE", "Agência Brasil",
        "Agência Lusa", "Alamy", "Allsport", "Anadolu", "Anadolu Agency", "ANP", "ANSA", "AP",
        "Associated Press", "The Associated Press", "Belga", "Bloomberg", "Bloomberg News", "Corbis",
        "CP", "The Canadian Press", "dpa", "DPA", "EFE", "EPA", "EPA-EFE", "Europa Press", "Getty",
        "Getty Images", "Guardian", "The Guardian", "Hulton Archive", "IMAGO", "Jiji Press", "Keystone",
        "Kyodo", "Kyodo News", "LightRocket", "Lusa", "Magnum", "Magnum Photos", "NTB", "NurPhoto",
        "Observer", "The Observer", "PA", "PA Images", "PA Wire", "Panos", "Panos Pictures",
        "picture alliance", "Polaris", "Redux", "Redux Pictures", "Reuters", "Ritzau Scanpix",
        "Scanpix", "Shutterstock", "SIPA", "Sipa Press", "SOPA Images", "Sportsfile", "Sputnik",
        "TASS", "TT", "WENN", "Xinhua", "Yonhap", "ZUMA", "ZUMA Press", "ZUMA Wire",
        # Roles: who supplied the picture when no photographer is named.
        "NASA", "ESA", "Pool", "Handout", "Staff", "File", "Archive",
    )
)  # fmt: skip

# Words that make a name an organisation's ("Example Agency", "City Museum", "Smith Studio").
ORGANISATION_WORDS = frozenset((
    "agency", "agence", "agencia", "agência", "archive", "archives", "collection", "department",
    "foundation", "images", "inc", "library", "ltd", "media", "ministry", "museum", "news",
    "newspaper", "office", "photography", "pictures", "police", "press", "service", "studio",
    "studios", "university", "wire",
))  # fmt: skip

# Lower-case words that may sit inside a name ("Ana de Sousa", "Museum of the City").
NAME_PARTICLES = frozenset((
    "al", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el", "la",
    "le", "van", "von", "y", "zu", "ten", "ter", "and", "&", "of", "the", "for",
))  # fmt: skip

_PREFIXES = re.compile(
    r"""^(?:
        (?:staff\s+)?(?:photo(?:graph)?s?|pictures?|pics?|images?|fotos?|credit|source)\s*(?:by\b|:)\s*
      | (?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*[,:]?\s*
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_PHOTO_SUFFIX = re.compile(r"\s+photos?$", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*[/|]\s*")
_VIA = re.compile(r"\s+via\s+", re.IGNORECASE)
_FOR = re.compile(r"\s+for\s+", re.IGNORECASE)
_PARENTHESISED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<agency>[^()]+)\)$")
_NAME_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|[.'’\-])*\.?$")

MAX_CREDIT_LENGTH = 300


@dataclass(frozen=True)
class ParsedCredit:
    """A credit line read into the credit chain.

    When the line could not be read with confidence, ``creator``, ``agency`` and
    ``distributor`` are empty and ``credit_text`` holds the line as given (to be printed
    as the credit override). ``original`` is always the text that was parsed.
    """

    original: str
    creator: str = ""
    agency: str = ""
    distributor: str = ""
    credit_text: str = ""

    @property
    def parsed(self) -> bool:
        return bool(self.creator or self.agency or self.distributor)

    def as_dict(self) -> dict:
        return {
            "original": self.original,
            "creator": self.creator,
            "agency": self.agency,
            "distributor": self.distributor,
            "credit_text": self.credit_text,
        }


class _Unparseable(Exception):
    pass


def _is_agency(part: str) -> bool:
    folded = part.casefold()
    if folded in KNOWN_AGENCIES:
        return True
    return any(word in ORGANISATION_WORDS for word in folded.split()) and _is_name(part)


def _is_name(part: str) -> bool:
    """A person's or organisation's name: 1–8 words, each capitalised (or a particle such
    as "de", "van", "of"), letters and . ' - only. "Courtesy of the museum" is not one."""
    words = part.split()
    if not 0 < len(words) <= 8 or len(part) > 100:
        return False
    lower = [w for w in words if w.islower()]
    if any(w not in NAME_PARTICLES for w in lower):
        return False
    if words[0][0].islower():  # "the museum"; CJK names have no case and pass
        return False
    return all(_NAME_WORD.match(w) or w == "&" for w in words)


def _agency_name(part: str) -> str | None:
    """The agency named by ``part`` ("AP Photo" → "AP", "Reuters" → "Reuters"), or None."""
    if _is_agency(part):
        return part
    stripped = _PHOTO_SUFFIX.sub("", part)
    return stripped if stripped != part and _is_name(stripped) else None


def _checked(part: str) -> str:
    if not (_is_name(part) or _is_agency(part)):
        raise _Unparseable
    return part


def _split_chain(text: str) -> tuple[str, str]:
    """Read "creator/agency" (or the agency first, or one name alone) → (creator, agency)."""
    match = _PARENTHESISED.match(text)  # "Jane Doe (AFP)"
    parts = [match["name"], match["agency"]] if match else _SEPARATORS.split(text)
    if len(parts) == 1 and ", " in text:
        head, _sep, tail = text.rpartition(", ")  # "Jane Doe, Reuters"
        if _agency_name(tail):
            parts = [head, tail]
    parts = [p.strip() for p in parts]
    if any(not p for p in parts):
        raise _Unparseable
    if len(parts) == 1:
        (only,) = parts
        agency = _agency_name(only)
        return ("", agency) if agency else (_checked(only), "")
    if len(parts) == 2:
        first, second = parts
        first_agency, second_agency = _agency_name(first), _agency_name(second)
        if first_agency and not second_agency:  # "AP Photo/Jane Doe", "REUTERS/Marta Lopes"
            return _checked(second), first_agency
        if first_agency and second_agency:  # "SOPA Images/LightRocket"
            return "", f"{first_agency}/{second_agency}"
        return _checked(first), second_agency or _checked(second)  # "Marta Lopes/Reuters"
    if len(parts) == 3 and not _agency_name(parts[0]):  # "Jane Doe/The New York Times/Redux"
        return _checked(parts[0]), "/".join(_checked(p) for p in parts[1:])
    raise _Unparseable


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in text)
    return " ".join(text.split())


def parse_credit_line(text: str) -> ParsedCredit:
    """Read a credit line into creator (photographer), agency and distributor.

    Understands the shapes wire services and newspapers print, e.g.:
    "Anatolii Stepanov/AFP via Getty Images", "Photo by Daniel Costa/AFP via Getty Images",
    "Marta Lopes/Reuters", "REUTERS/Marta Lopes", "AP Photo/Jane Doe", "Jane Doe / AFP",
    "Jane Doe | Agency", "Jane Doe (AFP)", "Jane Doe, Reuters", "Jane Doe for The New York
    Times", "Photograph: Jane Doe/Guardian", "(c) Jane Doe", "© 2024 Reuters", "Getty Images",
    "Handout via Reuters", "Pool/Getty Images", "SOPA Images/LightRocket via Getty Images".

    The name before the slash is the photographer unless it is a known agency or ends in
    "Photo" (AP style); names are kept in the case given ("EPA/JANE DOE"). "Pool", "Handout"
    and similar roles count as the agency. Anything else — prose such as "Courtesy of the
    museum", more than three links, empty parts — is returned unparsed, the text kept as
    ``credit_text``.
    """
    original = (text or "").strip()
    line = _normalise(original)[:MAX_CREDIT_LENGTH]
    if not line:
        return ParsedCredit(original="")
    unparsed = ParsedCredit(original=original, credit_text=line)
    if line.casefold().startswith("courtesy"):
        return unparsed
    previous = None
    while previous != line:  # "Photo: © 2024 Jane Doe"
        previous, line = line, _PREFIXES.sub("", line, count=1).strip()
    try:
        distributor = ""
        head, *vias = _VIA.split(line)
        if len(vias) > 1:
            raise _Unparseable
        if vias:
            distributor = _checked(vias[0].strip())
        creator_part, *fors = _FOR.split(head)
        if len(fors) > 1:
            raise _Unparseable
        if fors:  # "Jane Doe for The New York Times": a commission, the publication as agency
            creator = creator_part.strip()
            if _SEPARATORS.search(creator) or _agency_name(creator):
                raise _Unparseable
            creator, agency = _checked(creator), _checked(fors[0].strip())
        else:
            creator, agency = _split_chain(head)
            if not distributor and "/" in agency:
                # "Pool/Getty Images", "Jane Doe/The New York Times/Redux": the last link distributes.
                agency, distributor = agency.rsplit("/", 1)
    except _Unparseable:
        return unparsed
    if not (creator or agency or distributor):
        return unparsed
    return ParsedCredit(original=original, creator=creator, agency=agency, distributor=distributor)
