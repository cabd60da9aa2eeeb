"""Rendering the photo credit line from the credit chain."""

import pytest

from articles.credits import render_credit_line
from tests.factories import ImageFactory


@pytest.mark.parametrize(
    ("creator", "agency", "distributor", "line"),
    [
        ("Anatolii Stepanov", "AFP", "Getty Images", "Anatolii Stepanov/AFP via Getty Images"),
        ("Anatolii Stepanov", "AFP", "", "Anatolii Stepanov/AFP"),
        ("", "AFP", "Getty Images", "AFP via Getty Images"),
        ("Anatolii Stepanov", "", "Getty Images", "Anatolii Stepanov via Getty Images"),
        ("Anatolii Stepanov", "", "", "Anatolii Stepanov"),
        ("", "AFP", "", "AFP"),
        ("", "", "Getty Images", "Getty Images"),
        ("", "", "", ""),
        ("  Marta Lopes ", " Reuters ", "", "Marta Lopes/Reuters"),
        ("Marta Lopes", "Reuters", "Reuters", "Marta Lopes/Reuters"),  # distributor = agency: once
        ("Reuters", "Reuters", "", "Reuters"),
        ("Zoë Ñúñez", "Agência Lusa", "Getty Images", "Zoë Ñúñez/Agência Lusa via Getty Images"),
        ("Лариса Петренко", "УНІАН", "", "Лариса Петренко/УНІАН"),
    ],
)
def test_render_credit_line(creator, agency, distributor, line):
    assert render_credit_line(creator=creator, agency=agency, distributor=distributor) == line


@pytest.mark.django_db
def test_image_credit_line_uses_override_first():
    image = ImageFactory(credit_text="Courtesy of the museum")
    assert image.credit_line == "Courtesy of the museum"
    image.credit_text = ""
    assert image.credit_line == "Anatolii Stepanov/AFP via Getty Images"
