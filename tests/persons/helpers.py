from stdnum.fr import nir as stdnum_nir


def make_nir(sex: str, year: int, month: int, place: str = "59350", order: str = "123") -> str:
    """A NIR with a valid key: sex digit, year, month, birthplace (5 chars), order number."""
    body = f"{'1' if sex == 'M' else '2'}{year % 100:02d}{month:02d}{place}{order}"
    return body + stdnum_nir.calc_check_digits(body)


def with_bad_key(nir: str) -> str:
    key = (int(nir[-2:]) + 1) % 97 or 1
    return f"{nir[:-2]}{key:02d}"
