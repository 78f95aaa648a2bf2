import pytest
from django.core.exceptions import ValidationError

from appui.core import identifiers as ids


@pytest.mark.parametrize("value", ["73282932000074", "732 829 320 00074"])
def test_valid_siret(value):
    ids.validate_siret(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("73282932000075", "clé de contrôle"),
        ("7328293200007", "14 chiffres"),
        ("7328293200007A", "que des chiffres"),
    ],
)
def test_invalid_siret_is_rejected_with_a_french_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        ids.validate_siret(value)


def nir_with_key(first13: str) -> str:
    number = int(first13.replace("2A", "19").replace("2B", "18"))
    return f"{first13}{97 - number % 97:02d}"


@pytest.mark.parametrize(
    "first13",
    ["1840559526001", "2750159350123", "18405" + "2A" + "004012", "28405" + "2B" + "033001"],
)
def test_nir_key_is_checked_including_corsica(first13):
    ids.validate_nir(nir_with_key(first13))
    wrong = nir_with_key(first13)[:-2] + f"{(int(nir_with_key(first13)[-2:]) + 1) % 97:02d}"
    with pytest.raises(ValidationError, match="clé"):
        ids.validate_nir(wrong)


def test_nir_length():
    with pytest.raises(ValidationError, match="15 caractères"):
        ids.validate_nir("18405595260")


def test_finess_format_rejects_but_key_only_warns():
    ids.validate_finess("590000001")  # format fine
    ids.validate_finess("2A0000019")
    with pytest.raises(ValidationError, match="9 caractères"):
        ids.validate_finess("59000")
    assert ids.finess_warning("590000015") is not None  # bad usual key: a warning, not a rejection
    assert ids.finess_warning("590000014") is None


def test_rpps_format_rejects_but_key_only_warns():
    ids.validate_rpps("10000000017")
    with pytest.raises(ValidationError, match="11 chiffres"):
        ids.validate_rpps("1000000001")
    assert ids.rpps_warning("10000000017") is None
    assert "clé de contrôle" in ids.rpps_warning("10000000018")


@pytest.mark.parametrize("code", ["59526", "2A004", "2B033"])
def test_insee_commune_codes(code):
    ids.validate_insee_commune(code)


@pytest.mark.parametrize("code", ["5952", "2C004", "ABCDE", ""])
def test_bad_insee_commune_codes(code):
    with pytest.raises(ValidationError):
        ids.validate_insee_commune(code)
