"""Reading free-text credit lines (IPTC Credit, photoshop:Credit, wire captions) into the
credit chain: creator (photographer), agency, distributor, or the text kept as is."""

import pytest

from articles.credits import parse_credit_line, render_credit_line

UNPARSED = "unparsed"


@pytest.mark.parametrize(
    ("line", "creator", "agency", "distributor"),
    [
        # Creator/AGENCY via Distributor, the house style itself
        ("Anatolii Stepanov/AFP via Getty Images", "Anatolii Stepanov", "AFP", "Getty Images"),
        ("Photo by Daniel Costa/AFP via Getty Images", "Daniel Costa", "AFP", "Getty Images"),
        ("Marta Lopes/Reuters", "Marta Lopes", "Reuters", ""),
        ("Jane Doe / AFP", "Jane Doe", "AFP", ""),
        ("Jane Doe | Agency", "Jane Doe", "Agency", ""),
        ("Jane Doe (AFP)", "Jane Doe", "AFP", ""),
        ("Jane Doe, Reuters", "Jane Doe", "Reuters", ""),
        ("Jane Doe/AFP/Getty Images", "Jane Doe", "AFP", "Getty Images"),
        # the agency first (wire styles): AP "Photo", Reuters and EPA capitals
        ("AP Photo/Jane Doe", "Jane Doe", "AP", ""),
        ("AFP PHOTO/Jane Doe", "Jane Doe", "AFP", ""),
        ("REUTERS/Marta Lopes", "Marta Lopes", "REUTERS", ""),
        ("EPA/JANE DOE", "JANE DOE", "EPA", ""),
        ("Jean-Pierre O'Neil/AP Photo", "Jean-Pierre O'Neil", "AP", ""),
        # commissions and prefixes
        ("Jane Doe for The New York Times", "Jane Doe", "The New York Times", ""),
        ("Photograph: Jane Doe/Guardian", "Jane Doe", "Guardian", ""),
        ("Staff photo by Jane Doe", "Jane Doe", "", ""),
        ("Foto: Rui Gaudêncio/Público", "Rui Gaudêncio", "Público", ""),
        ("(c) Jane Doe", "Jane Doe", "", ""),
        ("© 2025 Example Agency", "", "Example Agency", ""),
        # organisations and roles alone or chained
        ("Getty Images", "", "Getty Images", ""),
        ("dpa", "", "dpa", ""),
        ("Handout via Reuters", "", "Handout", "Reuters"),
        ("Pool/Getty Images", "", "Pool", "Getty Images"),
        ("SOPA Images/LightRocket via Getty Images", "", "SOPA Images/LightRocket", "Getty Images"),
        # non-Latin names
        ("Лариса Петренко/УНІАН", "Лариса Петренко", "УНІАН", ""),
        ("李伟/Xinhua", "李伟", "Xinhua", ""),
        ("  Marta   Lopes /  Reuters  ", "Marta Lopes", "Reuters", ""),
    ],
)
def test_credit_lines_are_read_into_the_chain(line, creator, agency, distributor):
    parsed = parse_credit_line(line)
    assert (parsed.creator, parsed.agency, parsed.distributor, parsed.credit_text) == (
        creator,
        agency,
        distributor,
        "",
    )
    assert parsed.parsed
    assert parsed.original == line.strip()


@pytest.mark.parametrize(
    "line",
    [
        "Courtesy of the museum",
        "Courtesy Jane Doe",
        "the museum",
        "Getty Images for Tribeca Festival",
        "Jane Doe/Getty Images for Tribeca",
        "X via Y via Z",
        "a/b",
        "Jane Doe//AFP",
        "Photographer 123/AFP",
    ],
)
def test_what_cannot_be_read_is_kept_as_the_credit_text(line):
    parsed = parse_credit_line(line)
    assert (parsed.creator, parsed.agency, parsed.distributor) == ("", "", "")
    assert parsed.credit_text == line
    assert parsed.original == line
    assert not parsed.parsed


@pytest.mark.parametrize("line", ["", "   ", None])
def test_an_empty_credit_is_nothing(line):
    parsed = parse_credit_line(line)
    assert parsed.as_dict() == {"original": "", "creator": "", "agency": "", "distributor": "", "credit_text": ""}


@pytest.mark.parametrize(
    "line",
    [
        "Anatolii Stepanov/AFP via Getty Images",
        "Marta Lopes/Reuters",
        "Handout via Reuters",
        "Getty Images",
        "Zoë Ñúñez/Agência Lusa via Getty Images",
    ],
)
def test_house_style_lines_print_back_the_same(line):
    parsed = parse_credit_line(line)
    assert render_credit_line(creator=parsed.creator, agency=parsed.agency, distributor=parsed.distributor) == line


def test_control_characters_and_overlong_lines_do_not_break_the_parser():
    assert parse_credit_line("Jane\x00 Doe/\tAFP\n").creator == "Jane Doe"
    long_line = "Jane Doe/" + "A" * 5000
    parsed = parse_credit_line(long_line)
    assert parsed.original == long_line
    assert len(parsed.credit_text or parsed.agency) <= 300
