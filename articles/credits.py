"""Photo credit lines rendered from the structured credit chain."""


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
