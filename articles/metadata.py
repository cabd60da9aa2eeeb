"""The credit, caption and alt text a picture carries in its own metadata, read in and
written back out.

Three places are read, in this order of preference (a value found in an earlier one wins):

1. **XMP** (the RDF/XML packet): ``dc:creator``, ``photoshop:Credit``, ``dc:rights``,
   ``dc:description``, ``Iptc4xmpCore:AltTextAccessibility``, ``photoshop:Headline``,
   ``photoshop:Source``. The packet is parsed by expat with document type declarations
   refused outright, so no entity (internal or external) is ever expanded.
2. **IPTC IIM** (the Photoshop APP13 "8BIM" resource 0x0404, or a PNG "Raw profile type
   iptc" text chunk): 2:80 By-line, 2:110 Credit, 2:116 Copyright Notice,
   2:120 Caption-Abstract, 2:105 Headline, 2:115 Source. Text is UTF-8 when 1:90 Coded
   Character Set says ``ESC % G``; otherwise it is taken as UTF-8 if it decodes as such
   (most software writes UTF-8 without saying so) and as Windows-1252/Latin-1 if not.
3. **EXIF**: Artist (0x013B), Copyright (0x8298), ImageDescription (0x010E). EXIF strings
   are nominally ASCII; UTF-8 is recognised, Latin-1 assumed otherwise.

``read_metadata`` returns the merged values plus the raw values read (JSON-ready, kept in
``Image.metadata`` for the archive). GPS coordinates are never kept in that JSON: only the
names of the location fields found are listed under ``"removed"``. Place names (IIM City,
``photoshop:City``…) are kept in the JSON, which is internal, but never in a stored file.

``build_exif`` and ``build_xmp`` make the only metadata the app writes into files it
stores: creator, credit line and copyright notice. Nothing else from the upload is copied
across, which is what strips GPS, location, camera serial numbers and maker notes.
"""

import unicodedata
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.parsers import expat
from xml.sax.saxutils import escape

from PIL import Image as PILImage

from .credits import parse_credit_line

MAX_VALUE_LENGTH = 2000
MAX_XMP_BYTES = 2 * 1024 * 1024

# --- IPTC IIM -------------------------------------------------------------------------

IIM_NAMES = {
    (1, 90): "Coded Character Set",
    (2, 5): "Object Name",
    (2, 15): "Category",
    (2, 25): "Keywords",
    (2, 26): "Content Location Code",
    (2, 27): "Content Location Name",
    (2, 40): "Special Instructions",
    (2, 55): "Date Created",
    (2, 60): "Time Created",
    (2, 80): "By-line",
    (2, 85): "By-line Title",
    (2, 90): "City",
    (2, 92): "Sub-location",
    (2, 95): "Province-State",
    (2, 100): "Country Code",
    (2, 101): "Country Name",
    (2, 103): "Original Transmission Reference",
    (2, 105): "Headline",
    (2, 110): "Credit",
    (2, 115): "Source",
    (2, 116): "Copyright Notice",
    (2, 118): "Contact",
    (2, 120): "Caption-Abstract",
    (2, 122): "Writer-Editor",
}
IIM_REPEATABLE = {(2, 25), (2, 80), (2, 85), (2, 118), (2, 122)}
# Location datasets: kept (as place names) in the archive JSON, never written to a file.
IIM_LOCATION = {(2, 26), (2, 27), (2, 90), (2, 92), (2, 95), (2, 100), (2, 101)}
UTF8_ESCAPE = b"\x1b%G"


def parse_iim(data: bytes) -> dict[tuple[int, int], list[bytes]]:
    """Split an IPTC IIM block into ``{(record, dataset): [value, …]}``.

    Stops quietly at the first malformed tag: a damaged block yields what came before it.
    """
    found: dict[tuple[int, int], list[bytes]] = {}
    pos, end = 0, len(data)
    while pos + 5 <= end and data[pos] == 0x1C:
        record, dataset = data[pos + 1], data[pos + 2]
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        pos += 5
        if length & 0x8000:  # extended dataset: the length is in the next n bytes
            size = length & 0x7FFF
            if not 0 < size <= 4 or pos + size > end:
                break
            length = int.from_bytes(data[pos : pos + size], "big")
            pos += size
        if pos + length > end:
            break
        found.setdefault((record, dataset), []).append(data[pos : pos + length])
        pos += length
    return found


def _photoshop_iim(resources: bytes) -> bytes | None:
    """Find resource 0x0404 (IPTC-NAA) in a run of Photoshop "8BIM" image resources."""
    pos, end = 0, len(resources)
    while pos + 12 <= end and resources[pos : pos + 4] == b"8BIM":
        resource_id = int.from_bytes(resources[pos + 4 : pos + 6], "big")
        name_length = resources[pos + 6]
        pos += 6 + ((name_length + 2) & ~1)  # Pascal name, padded to even length
        if pos + 4 > end:
            return None
        size = int.from_bytes(resources[pos : pos + 4], "big")
        pos += 4
        if resource_id == 0x0404:
            return resources[pos : pos + size]
        pos += size + (size & 1)
    return None


def _png_raw_profile(text: str) -> bytes | None:
    """Decode an ImageMagick/ExifTool "Raw profile type …" PNG text: "\\nname\\n  length\\nhex…"."""
    lines = text.strip().split("\n", 2)
    if len(lines) != 3:
        return None
    try:
        return bytes.fromhex("".join(lines[2].split()))
    except ValueError:
        return None


def _iim_block(picture: PILImage.Image) -> bytes | None:
    photoshop = picture.info.get("photoshop")
    if isinstance(photoshop, dict) and isinstance(photoshop.get(0x0404), bytes):
        return photoshop[0x0404]
    for key in ("Raw profile type iptc", "Raw profile type 8bim"):
        raw = picture.info.get(key)
        if isinstance(raw, str) and (data := _png_raw_profile(raw)):
            return _photoshop_iim(data) if data.startswith(b"8BIM") else data
    return None


def decode_iim_text(value: bytes, *, utf8: bool) -> str:
    """Decode one IIM value: UTF-8 if the 1:90 escape said so (or it decodes as UTF-8),
    Windows-1252 otherwise, Latin-1 as the last resort (it never fails)."""
    if utf8:
        return value.decode("utf-8", "replace")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return value.decode("cp1252")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def read_iim(picture: PILImage.Image) -> dict[str, str | list[str]]:
    """Return the IIM record-2 text fields of ``picture`` by name ("By-line", "Credit"…)."""
    block = _iim_block(picture)
    if not block:
        return {}
    datasets = parse_iim(block)
    utf8 = UTF8_ESCAPE in b"".join(datasets.get((1, 90), []))
    result: dict[str, str | list[str]] = {}
    for key, values in datasets.items():
        if key[0] != 2 or key == (2, 0):  # record 2 only; 2:0 is the record version number
            continue
        name = IIM_NAMES.get(key, f"{key[0]}:{key[1]}")
        texts = [t for t in (clean_text(decode_iim_text(v, utf8=utf8), multiline=True) for v in values) if t]
        if texts:
            result[name] = texts if key in IIM_REPEATABLE else texts[0]
    return result


# --- XMP ------------------------------------------------------------------------------

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.useplus.org/ldf/xmp/1.0/": "plus",
}
XMP_LOCATION = {
    "photoshop:City",
    "photoshop:State",
    "photoshop:Country",
    "Iptc4xmpCore:Location",
    "Iptc4xmpCore:CountryCode",
    "Iptc4xmpExt:LocationCreated",
    "Iptc4xmpExt:LocationShown",
}


class UnsafeXML(ValueError):
    """The XMP packet declares a document type (and so could declare entities)."""


def _refuse(*_args):
    raise UnsafeXML("document type declarations and entities are not allowed in XMP")


def parse_xml_safely(data: bytes) -> ElementTree.Element:
    """Parse ``data`` into an ElementTree element, refusing any DTD, entity declaration or
    external reference (the guarantees of defusedxml, with the standard library's expat)."""
    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def qualified(name: str) -> str:
        return "{" + name if "}" in name else name

    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = lambda name, attrs: builder.start(
        qualified(name), {qualified(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda name: builder.end(qualified(name))
    parser.CharacterDataHandler = builder.data
    parser.Parse(data, True)
    return builder.close()


def _prefixed(tag: str) -> str | None:
    if not tag.startswith("{"):
        return None
    namespace, _sep, local = tag[1:].partition("}")
    prefix = XMP_PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else None


def _property_value(element: ElementTree.Element) -> str | list[str] | None:
    """A simple, Seq/Bag (list) or Alt (x-default, else first) property value; None for
    structures, which are not read."""
    if element.get(f"{{{RDF}}}resource") is not None or element.get(f"{{{RDF}}}parseType") is not None:
        return None
    children = list(element)
    if not children:
        return element.text or ""
    if len(children) != 1:
        return None
    container = children[0]
    items = container.findall(f"{{{RDF}}}li")
    if container.tag in {f"{{{RDF}}}Seq", f"{{{RDF}}}Bag"}:
        return [li.text or "" for li in items if not len(li)]
    if container.tag == f"{{{RDF}}}Alt":
        for li in items:
            if li.get(XML_LANG) == "x-default":
                return li.text or ""
        return items[0].text or "" if items else None
    return None


def read_xmp(packet: bytes) -> tuple[dict[str, str | list[str]], list[str]]:
    """Return ``(properties, gps_found)``: the simple properties of known namespaces
    (``{"dc:creator": [...], "photoshop:Credit": "…"}``) and the names of GPS properties seen
    (which are not returned). Raises ``ValueError`` for a packet that is not safe XML."""
    packet = packet[:MAX_XMP_BYTES].rstrip(b"\x00 \t\r\n")
    root = parse_xml_safely(packet)
    properties: dict[str, str | list[str]] = {}
    gps: list[str] = []
    for description in root.iter(f"{{{RDF}}}Description"):
        pairs = [(name, value) for name, value in description.attrib.items()]
        pairs += [(child.tag, child) for child in description]
        for tag, raw in pairs:
            name = _prefixed(tag)
            if name is None:
                continue
            if name.startswith("exif:GPS"):
                gps.append(name)
                continue
            value = raw if isinstance(raw, str) else _property_value(raw)
            if value is None or name in properties:
                continue
            if isinstance(value, list):
                value = [v for v in (clean_text(v, multiline=True) for v in value) if v]
            else:
                value = clean_text(value, multiline=True)
            if value:
                properties[name] = value
    for element in root.iter():  # GPS inside structures (Iptc4xmpExt:LocationCreated…)
        for tag in (element.tag, *element.attrib):
            name = _prefixed(tag)
            if name and name.startswith("exif:GPS") and name not in gps:
                gps.append(name)
    return properties, gps


# --- EXIF -----------------------------------------------------------------------------

EXIF_TEXT_TAGS = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x0132: "DateTime",
    0x013B: "Artist",
    0x8298: "Copyright",
}
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
EXIF_DATETIME_ORIGINAL = 0x9003


def decode_exif_text(value: str | bytes) -> str:
    """EXIF "ASCII" strings as Pillow hands them over (bytes read as Latin-1): recover
    UTF-8, which cameras and editors often write; split Copyright's "photographer\\0editor"."""
    data = value if isinstance(value, bytes) else value.encode("latin-1", "replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return "; ".join(part for part in (p.strip() for p in text.split("\x00")) if part)


def read_exif(picture: PILImage.Image) -> tuple[dict[str, str], bool]:
    """Return ``(text_tags, has_gps)`` from the picture's EXIF."""
    try:
        exif = picture.getexif()
        result = {}
        for tag, name in EXIF_TEXT_TAGS.items():
            value = exif.get(tag)
            if isinstance(value, str | bytes) and (text := clean_text(decode_exif_text(value), multiline=True)):
                result[name] = text
        original = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL)
        if isinstance(original, str) and original.strip():
            result["DateTimeOriginal"] = clean_text(original)
        orientation = exif.get(0x0112)
        if isinstance(orientation, int):
            result["Orientation"] = str(orientation)
        has_gps = bool(exif.get_ifd(GPS_IFD)) or GPS_IFD in exif
        return result, has_gps
    except Exception:  # damaged EXIF is no reason to refuse the picture
        return {}, False


# --- Merging --------------------------------------------------------------------------


def clean_text(value: str, *, multiline: bool = False, limit: int = MAX_VALUE_LENGTH) -> str:
    """NFC-normalise, drop control characters (and NULs), collapse spaces; keep line breaks
    only when ``multiline``."""
    value = unicodedata.normalize("NFC", value or "")
    lines = []
    for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = "".join(" " if unicodedata.category(c) in {"Cc", "Cf"} else c for c in line)
        lines.append(" ".join(line.split()))
    text = "\n".join(lines).strip() if multiline else " ".join(" ".join(lines).split())
    return text[:limit].strip()


def _first(*values) -> str:
    for value in values:
        if isinstance(value, list):
            value = ", ".join(v for v in value if v)
        if value:
            return value
    return ""


@dataclass
class EmbeddedMetadata:
    """What a picture says about itself, merged XMP > IIM > EXIF, with the raw values read."""

    creator: str = ""
    credit: str = ""
    copyright_notice: str = ""
    caption: str = ""
    alt_text: str = ""
    headline: str = ""
    source: str = ""
    raw: dict = field(default_factory=dict)

    def image_fields(self) -> dict[str, str]:
        """The Image fields these values fill (only non-empty ones): creator (the named
        creator first, else the one in the credit line), agency and distributor from the
        credit line (Source as the agency when there is no credit line at all), copyright,
        caption and alt text; an unparseable credit line becomes the credit override."""
        credit = parse_credit_line(self.credit)
        fields = {
            "creator": (self.creator or credit.creator)[:200],
            "agency": credit.agency[:200],
            "distributor": credit.distributor[:200],
            "copyright_notice": self.copyright_notice[:300],
            "caption": self.caption,
            "alt_text": self.alt_text[:500],
            "credit_text": credit.credit_text[:300],
        }
        if not self.credit and self.source and self.source.casefold() != fields["creator"].casefold():
            fields["agency"] = self.source[:200]
        return {name: value for name, value in fields.items() if value}


def read_metadata(picture: PILImage.Image) -> EmbeddedMetadata:
    """Read XMP, IPTC IIM and EXIF from an opened (and, for PNG, loaded) picture.

    Never raises for bad metadata: what cannot be read is skipped and noted under
    ``raw["errors"]``.
    """
    raw: dict = {}
    removed: list[str] = []
    errors: list[str] = []

    xmp: dict[str, str | list[str]] = {}
    packet = picture.info.get("xmp")
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    if isinstance(packet, bytes) and packet.strip():
        try:
            xmp, gps = read_xmp(packet)
            removed += [f"xmp:{name}" for name in gps]
        except (ValueError, expat.ExpatError) as error:
            errors.append(f"XMP not read: {error}")
    iim = read_iim(picture)
    exif, exif_gps = read_exif(picture)
    if exif_gps:
        removed.append("exif:GPSInfo")

    removed += [f"xmp:{name}" for name in XMP_LOCATION if name in xmp]
    removed += [f"iptc:{IIM_NAMES[key]}" for key in sorted(IIM_LOCATION) if IIM_NAMES[key] in iim]
    if xmp:
        raw["xmp"] = xmp
    if iim:
        raw["iptc"] = iim
    if exif:
        raw["exif"] = exif
    if removed:
        raw["removed"] = sorted(removed)
    if errors:
        raw["errors"] = errors

    single = {"multiline": False}
    return EmbeddedMetadata(
        creator=clean_text(_first(xmp.get("dc:creator"), iim.get("By-line"), exif.get("Artist")), **single),
        credit=clean_text(_first(xmp.get("photoshop:Credit"), iim.get("Credit")), **single),
        copyright_notice=clean_text(
            _first(xmp.get("dc:rights"), iim.get("Copyright Notice"), exif.get("Copyright")), **single
        ),
        caption=_first(xmp.get("dc:description"), iim.get("Caption-Abstract"), exif.get("ImageDescription")),
        alt_text=clean_text(_first(xmp.get("Iptc4xmpCore:AltTextAccessibility")), **single),
        headline=clean_text(_first(xmp.get("photoshop:Headline"), iim.get("Headline")), **single),
        source=clean_text(_first(xmp.get("photoshop:Source"), iim.get("Source")), **single),
        raw=raw,
    )


# --- Writing --------------------------------------------------------------------------


def _file_text(value: str) -> str:
    # Markup has no business in a credit; angle brackets would let a stored file carry
    # "<script" for a browser that sniffs (IMG-05), so they are swapped for look-alikes.
    return clean_text(value).replace("<", "‹").replace(">", "›")


def build_exif(*, creator: str = "", copyright_notice: str = "") -> PILImage.Exif:
    """EXIF with Artist and Copyright only (UTF-8, which ExifTool and browsers read)."""
    exif = PILImage.Exif()
    if text := _file_text(creator):
        exif[0x013B] = text.encode("utf-8")
    if text := _file_text(copyright_notice):
        exif[0x8298] = text.encode("utf-8")
    return exif


def _alt(tag: str, value: str) -> str:
    return f'   <{tag}><rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt></{tag}>\n'


def build_xmp(*, creator: str = "", credit_line: str = "", copyright_notice: str = "") -> bytes:
    """An XMP packet with ``dc:creator``, ``photoshop:Credit`` and ``dc:rights`` (empty
    ones left out); b"" when there is nothing to say."""
    creator, credit_line, copyright_notice = (clean_text(v) for v in (creator, credit_line, copyright_notice))
    if not (creator or credit_line or copyright_notice):
        return b""
    body = ""
    if creator:
        body += f"   <dc:creator><rdf:Seq><rdf:li>{escape(creator)}</rdf:li></rdf:Seq></dc:creator>\n"
    if copyright_notice:
        body += _alt("dc:rights", copyright_notice)
    if credit_line:
        body += f"   <photoshop:Credit>{escape(credit_line)}</photoshop:Credit>\n"
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">\n'
        f"{body}"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )
    return packet.encode("utf-8")


def fill_empty(target, values: dict[str, str]) -> list[str]:
    """Set each attribute of ``target`` named in ``values`` that is still empty; return the
    names set. The credit override is set only when no credit at all was typed (it would
    otherwise replace the credit line built from what the editor typed)."""
    credit_fields = ("creator", "agency", "distributor", "credit_text")
    typed_credit = any(getattr(target, name, "") for name in credit_fields)
    filled = []
    for name, value in values.items():
        if name == "credit_text" and typed_credit:
            continue
        if value and not getattr(target, name, ""):
            setattr(target, name, value)
            filled.append(name)
    return filled
