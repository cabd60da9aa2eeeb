"""Credit, caption and alt text read from a picture's own metadata (XMP > IPTC IIM > EXIF)
into the image's fields, never over what the editor typed.

The builders at the top make test pictures in memory with Pillow (EXIF through
``Image.Exif``, XMP through the ``xmp=`` save parameter or a PNG iTXt chunk, IIM through a
Photoshop APP13 segment); the other image test modules use them too.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import PngImagePlugin

from articles import services
from articles.metadata import parse_iim, read_metadata
from articles.models import Image

FIXTURE = Path("/work/shared/standards/iptc-test-photo.jpg")
if not FIXTURE.exists():  # the shared folder sits beside the project
    FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "standards" / "iptc-test-photo.jpg"


# --- Builders ------------------------------------------------------------------------


def iim_block(fields: dict, *, encoding: str = "utf-8", declare_utf8: bool = True) -> bytes:
    """An IPTC IIM block: ``{(2, 80): "Jane Doe", (2, 25): ["a", "b"]}`` → bytes."""

    def dataset(record: int, number: int, value: bytes) -> bytes:
        return bytes([0x1C, record, number]) + len(value).to_bytes(2, "big") + value

    data = dataset(1, 90, b"\x1b%G") if declare_utf8 else b""
    data += dataset(2, 0, b"\x00\x04")
    for (record, number), values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            data += dataset(record, number, value.encode(encoding))
    return data


def app13_segment(iim: bytes) -> bytes:
    """A JPEG APP13 "Photoshop 3.0" segment carrying ``iim`` as 8BIM resource 0x0404."""
    resource = b"8BIM" + (0x0404).to_bytes(2, "big") + b"\x00\x00" + len(iim).to_bytes(4, "big") + iim
    resource += b"\x00" * (len(iim) % 2)
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def xmp_packet(
    *,
    creator: str | list[str] = "",
    credit: str = "",
    rights: str = "",
    description: str = "",
    alt_text: str = "",
    gps: bool = False,
    city: str = "",
    prolog: str = "",
) -> bytes:
    """An XMP packet with the given IPTC Core properties (empty ones left out)."""
    creators = [creator] if isinstance(creator, str) else creator
    body = ""
    if creator:
        items = "".join(f"<rdf:li>{c}</rdf:li>" for c in creators)
        body += f"<dc:creator><rdf:Seq>{items}</rdf:Seq></dc:creator>"
    for tag, value in (
        ("dc:rights", rights),
        ("dc:description", description),
        ("Iptc4xmpCore:AltTextAccessibility", alt_text),
    ):
        if value:
            body += f'<{tag}><rdf:Alt><rdf:li xml:lang="x-default">{value}</rdf:li></rdf:Alt></{tag}>'
    attributes = f' photoshop:Credit="{credit}"' if credit else ""
    if city:
        attributes += f' photoshop:City="{city}"'
    if gps:
        attributes += ' exif:GPSLatitude="41,9.5N" exif:GPSLongitude="8,37.2W"'
    return (
        f'{prolog}<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        f' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"{attributes}>'
        f'{body}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def exif_with(*, artist=None, copyright=None, description=None, orientation=None, gps=False) -> PILImage.Exif:
    """EXIF with the given text tags (str written as UTF-8, bytes as they are), orientation
    and a GPS IFD (Porto) when ``gps``."""
    exif = PILImage.Exif()
    for tag, value in ((0x013B, artist), (0x8298, copyright), (0x010E, description)):
        if value is not None:
            exif[tag] = value.encode() if isinstance(value, str) else value
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (41.0, 9.0, 30.0), 3: "W", 4: (8.0, 37.0, 12.0)})
    return exif


def picture_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    *,
    exif: PILImage.Exif | None = None,
    xmp: bytes = b"",
    iim: bytes = b"",
    comment: bytes = b"",
    color=(200, 80, 40),
    mode: str = "RGB",
) -> bytes:
    """A picture in ``fmt`` carrying the given metadata."""
    picture = PILImage.new(mode, size, color)
    params: dict = {}
    if exif is not None:
        params["exif"] = exif.tobytes()
    if xmp and fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"))
        params["pnginfo"] = info
    elif xmp:
        params["xmp"] = xmp
    if iim:
        assert fmt == "JPEG"
        params["extra"] = app13_segment(iim)
    if comment:
        params["comment"] = comment
    out = io.BytesIO()
    picture.save(out, format=fmt, **params)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def read(data: bytes):
    with PILImage.open(io.BytesIO(data)) as picture:
        picture.load()
        return read_metadata(picture)


# --- The shared fixture ----------------------------------------------------------------


def test_the_fixture_photo_reads_back_exactly():
    metadata = read(FIXTURE.read_bytes())
    assert (
        metadata.creator,
        metadata.credit,
        metadata.copyright_notice,
        metadata.caption,
        metadata.headline,
        metadata.source,
        metadata.alt_text,
    ) == (
        "Jane Photographer",
        "Jane Photographer/Example Agency",
        "© 2025 Example Agency",
        "Firefighters at the scene, Main St., 3 March 2025.",
        "Warehouse fire",
        "Example Agency",
        "Firefighters spray water on a burning warehouse",
    )
    # each source on its own, as the archive keeps it
    assert metadata.raw["iptc"] == {
        "By-line": ["Jane Photographer"],
        "Headline": "Warehouse fire",
        "Credit": "Jane Photographer/Example Agency",
        "Source": "Example Agency",
        "Copyright Notice": "© 2025 Example Agency",
        "Caption-Abstract": "Firefighters at the scene, Main St., 3 March 2025.",
    }
    assert metadata.raw["xmp"]["dc:creator"] == ["Jane Photographer"]
    assert metadata.raw["xmp"]["photoshop:Credit"] == "Jane Photographer/Example Agency"
    assert metadata.raw["exif"]["Artist"] == "Jane Photographer"


def test_uploading_the_fixture_photo_fills_the_credit_chain_caption_and_alt_text(db):
    image, created = services.image_create(file=upload(FIXTURE.read_bytes(), name="iptc-test-photo.jpg"))
    image.refresh_from_db()
    assert created
    assert (
        image.creator,
        image.agency,
        image.distributor,
        image.copyright_notice,
        image.credit_text,
        image.caption,
        image.alt_text,
    ) == (
        "Jane Photographer",
        "Example Agency",
        "",
        "© 2025 Example Agency",
        "",
        "Firefighters at the scene, Main St., 3 March 2025.",
        "Firefighters spray water on a burning warehouse",
    )
    assert image.credit_line == "Jane Photographer/Example Agency"
    assert image.metadata["iptc"]["Headline"] == "Warehouse fire"
    assert image.metadata["filled"] == ["creator", "agency", "copyright_notice", "caption", "alt_text"]


# --- Each source alone -----------------------------------------------------------------


def test_xmp_alone():
    data = picture_bytes(
        xmp=xmp_packet(
            creator="Zoë Ñúñez",
            credit="Zoë Ñúñez/Agência Lusa via Getty Images",
            rights="© 2024 Agência Lusa",
            description="Trams on the hill &amp; the river.",
            alt_text="A yellow tram climbs a steep street",
        )
    )
    fields = read(data).image_fields()
    assert fields == {
        "creator": "Zoë Ñúñez",
        "agency": "Agência Lusa",
        "distributor": "Getty Images",
        "copyright_notice": "© 2024 Agência Lusa",
        "caption": "Trams on the hill & the river.",
        "alt_text": "A yellow tram climbs a steep street",
    }


def test_iim_alone_in_utf8():
    iim = iim_block(
        {
            (2, 80): "Лариса Петренко",
            (2, 110): "Лариса Петренко/УНІАН",
            (2, 116): "© УНІАН",
            (2, 120): "Київ уночі.",
            (2, 105): "Ніч",
        }
    )
    metadata = read(picture_bytes(iim=iim))
    assert (metadata.creator, metadata.copyright_notice, metadata.caption, metadata.headline) == (
        "Лариса Петренко",
        "© УНІАН",
        "Київ уночі.",
        "Ніч",
    )
    assert metadata.image_fields()["agency"] == "УНІАН"


def test_iim_without_a_character_set_is_latin_1():
    iim = iim_block(
        {(2, 80): "Zoë Müller", (2, 116): "© 2023 Agência", (2, 120): "“Quoted” caption"},
        encoding="cp1252",
        declare_utf8=False,
    )
    metadata = read(picture_bytes(iim=iim))
    assert (metadata.creator, metadata.copyright_notice, metadata.caption) == (
        "Zoë Müller",
        "© 2023 Agência",
        "“Quoted” caption",
    )


def test_iim_in_utf8_without_the_escape_is_still_read_as_utf8():
    metadata = read(picture_bytes(iim=iim_block({(2, 80): "Zoë Ñúñez"}, declare_utf8=False)))
    assert metadata.creator == "Zoë Ñúñez"


def test_repeated_by_lines_are_all_kept():
    metadata = read(picture_bytes(iim=iim_block({(2, 80): ["Ana Ribeiro", "Rui Gaudêncio"]})))
    assert metadata.creator == "Ana Ribeiro, Rui Gaudêncio"
    assert metadata.raw["iptc"]["By-line"] == ["Ana Ribeiro", "Rui Gaudêncio"]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_alone(fmt):
    exif = exif_with(
        artist="Zoë Ñúñez".encode(),  # UTF-8, as most cameras and editors write it
        copyright=b"(c) 2024 Jane Doe\x00Desk",  # photographer's and editor's copyright
        description="Boats leave the harbour.",
    )
    metadata = read(picture_bytes(fmt, exif=exif))
    assert (metadata.creator, metadata.copyright_notice, metadata.caption) == (
        "Zoë Ñúñez",
        "(c) 2024 Jane Doe; Desk",
        "Boats leave the harbour.",
    )
    assert metadata.credit == ""


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_xmp_is_read_from_png_and_webp(fmt):
    metadata = read(picture_bytes(fmt, xmp=xmp_packet(creator="Ana Ribeiro", credit="Ana Ribeiro/Lusa")))
    assert metadata.image_fields() == {"creator": "Ana Ribeiro", "agency": "Lusa"}


def test_iptc_source_is_the_agency_when_there_is_no_credit_line():
    metadata = read(picture_bytes(iim=iim_block({(2, 80): "Ana Ribeiro", (2, 115): "Lusa"})))
    assert metadata.image_fields() == {"creator": "Ana Ribeiro", "agency": "Lusa"}


# --- Conflicts: XMP beats IIM beats EXIF -------------------------------------------------

XMP = {"creator": "Xavier Xmp", "credit": "Xavier Xmp/XMP Agency", "rights": "© XMP", "description": "From XMP"}
IIM = {(2, 80): "Ines Iim", (2, 110): "Ines Iim/IIM Agency", (2, 116): "© IIM", (2, 120): "From IIM"}
EXIF = {"artist": "Eva Exif", "copyright": "© EXIF", "description": "From EXIF"}


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            {"xmp", "iim", "exif"},
            {"creator": "Xavier Xmp", "agency": "XMP Agency", "copyright_notice": "© XMP", "caption": "From XMP"},
        ),
        (
            {"xmp", "exif"},
            {"creator": "Xavier Xmp", "agency": "XMP Agency", "copyright_notice": "© XMP", "caption": "From XMP"},
        ),
        (
            {"iim", "exif"},
            {"creator": "Ines Iim", "agency": "IIM Agency", "copyright_notice": "© IIM", "caption": "From IIM"},
        ),
        ({"exif"}, {"creator": "Eva Exif", "copyright_notice": "© EXIF", "caption": "From EXIF"}),
    ],
)
def test_xmp_beats_iim_beats_exif(sources, expected):
    data = picture_bytes(
        xmp=xmp_packet(**XMP) if "xmp" in sources else b"",
        iim=iim_block(IIM) if "iim" in sources else b"",
        exif=exif_with(**EXIF) if "exif" in sources else None,
    )
    assert read(data).image_fields() == expected


def test_each_field_falls_back_on_its_own():
    """XMP with only a creator; the caption comes from IIM and the copyright from EXIF."""
    data = picture_bytes(
        xmp=xmp_packet(creator="Xavier Xmp"),
        iim=iim_block({(2, 120): "From IIM"}),
        exif=exif_with(copyright="© EXIF", artist="Eva Exif"),
    )
    assert read(data).image_fields() == {
        "creator": "Xavier Xmp",
        "copyright_notice": "© EXIF",
        "caption": "From IIM",
    }


# --- Never over what the editor typed ---------------------------------------------------


def test_editor_typed_values_are_never_overwritten(db):
    image, _created = services.image_create(
        file=upload(FIXTURE.read_bytes()),
        creator="Typed Photographer",
        caption="Typed caption.",
        copyright_notice="© Typed",
    )
    image.refresh_from_db()
    assert (image.creator, image.caption, image.copyright_notice) == (
        "Typed Photographer",
        "Typed caption.",
        "© Typed",
    )
    # what the editor left empty is filled from the file
    assert (image.agency, image.alt_text) == ("Example Agency", "Firefighters spray water on a burning warehouse")
    assert image.metadata["filled"] == ["agency", "alt_text"]


def test_an_unreadable_credit_becomes_the_override_only_when_no_credit_was_typed(db):
    data = picture_bytes(xmp=xmp_packet(credit="Courtesy of the museum", description="A vase."))
    untyped, _ = services.image_create(file=upload(data))
    assert (untyped.credit_text, untyped.credit_line) == ("Courtesy of the museum", "Courtesy of the museum")

    data = picture_bytes(xmp=xmp_packet(credit="Courtesy of the museum", description="Another vase."))
    typed, _ = services.image_create(file=upload(data), creator="Ana Ribeiro")
    assert (typed.credit_text, typed.credit_line) == ("", "Ana Ribeiro")


def test_a_picture_without_metadata_changes_nothing(db):
    image, _ = services.image_create(file=upload(picture_bytes()), alt_text="A harbour")
    assert (image.alt_text, image.creator, image.caption, image.metadata) == ("A harbour", "", "", {})


# --- What is kept for the archive -------------------------------------------------------


def test_gps_coordinates_are_never_kept_in_the_archive_json(db):
    data = picture_bytes(
        xmp=xmp_packet(creator="Ana Ribeiro", gps=True, city="Porto"),
        iim=iim_block({(2, 90): "Porto", (2, 101): "Portugal"}),
        exif=exif_with(artist="Ana Ribeiro", gps=True),
    )
    image, _ = services.image_create(file=upload(data))
    text = json.dumps(image.metadata)
    assert "41" not in text and 'GPSLatitude":' not in text
    assert image.metadata["removed"] == [
        "exif:GPSInfo",
        "iptc:City",
        "iptc:Country Name",
        "xmp:exif:GPSLatitude",
        "xmp:exif:GPSLongitude",
        "xmp:photoshop:City",
    ]


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',  # billion laughs
        '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',  # external entity
        '<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">',
    ],
)
def test_xmp_with_a_document_type_is_not_read(db, prolog):
    data = picture_bytes(xmp=xmp_packet(creator="Xavier Xmp", prolog=prolog), iim=iim_block({(2, 80): "Ines Iim"}))
    image, created = services.image_create(file=upload(data))
    assert created  # the picture itself is fine
    assert image.creator == "Ines Iim"  # the next source is used
    assert "xmp" not in image.metadata
    assert image.metadata["errors"][0].startswith("XMP not read")


def test_broken_xmp_is_skipped():
    data = picture_bytes(xmp=b"<x:xmpmeta><rdf:RDF>not closed", exif=exif_with(artist="Eva Exif"))
    metadata = read(data)
    assert metadata.creator == "Eva Exif"
    assert metadata.raw["errors"]


def test_damaged_iim_yields_what_came_before_the_damage():
    good = iim_block({(2, 80): "Ines Iim"}, declare_utf8=False)
    assert parse_iim(good + b"\x1c\x02\x78\xff\xff")[(2, 80)] == [b"Ines Iim"]  # length past the end
    assert parse_iim(b"\x1c\x02\x50\x80\x02\x00\x03abc") == {(2, 80): [b"abc"]}  # extended length
    assert parse_iim(b"garbage") == {}


def test_control_characters_are_removed_from_values(db):
    data = picture_bytes(iim=iim_block({(2, 80): "Ana\x00 Ribeiro\x07", (2, 120): "Line one\r\nLine\ttwo"}))
    image, _ = services.image_create(file=upload(data))
    assert (image.creator, image.caption) == ("Ana Ribeiro", "Line one\nLine two")
    assert Image.objects.get().creator == "Ana Ribeiro"
