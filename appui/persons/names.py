"""Names as typed and names as compared.

A name is stored as the user typed it (trimmed, spaces tidied, family names in capitals). It is
compared and searched through its *folded* form: no accents, capitals, and hyphens, apostrophes
and spaces treated alike — so that Lefèvre = LEFEVRE, Marie-Claire = Marie Claire, D'Almeida =
DALMEIDA. The *key* is the folded form without any separator, stored next to the name and indexed.
"""

import re
import unicodedata

#: letters NFKD does not decompose into a base letter plus an accent
LIGATURES = str.maketrans({"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS"})
SEPARATORS = re.compile(r"[^A-Z0-9]+")


def fold(value: str) -> str:
    """'  Marie-Claire d’Aubigné ' → 'MARIE CLAIRE D AUBIGNE'."""
    value = (value or "").translate(LIGATURES)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c)).upper()
    return SEPARATORS.sub(" ", value).strip()


def name_key(value: str) -> str:
    """'Marie-Claire' and 'Marie Claire' → 'MARIECLAIRE' (what the search index holds)."""
    return fold(value).replace(" ", "")


def tokens(value: str) -> list[str]:
    return fold(value).split()


def tidy(value: str) -> str:
    """Trim, collapse spaces, and glue hyphens and apostrophes: ' Marie - Claire ' → 'Marie-Claire'."""
    value = re.sub(r"\s+", " ", (value or "").strip())
    value = re.sub(r"\s*-\s*", "-", value)
    return re.sub(r"\s*(['’])\s*", r"\1", value)


def tidy_family_name(value: str) -> str:
    """Family names are written in capitals, as the identity documents and the INS write them."""
    return tidy(value).upper()


def starts_with_first_name(first_names: str, first_name: str) -> bool:
    """Whether the list of birth first names begins with this first name (folded comparison)."""
    whole, first = fold(first_names), fold(first_name)
    return bool(first) and (whole == first or whole.startswith(first + " "))
