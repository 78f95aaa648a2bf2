"""French identifiers: format checks everywhere, key checks only where they are reliable.

REFERENCE §2: NIR and SIRET keys are confirmed (python-stdnum) and reject; FINESS and RPPS keys
are unconfirmed and only warn; RPPS/ADELI/FINESS numbers are taken from the directory, never built.
"""

import re

from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

INSEE_COMMUNE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")
DEPARTMENT_RE = re.compile(r"^(\d{2}|2[AB]|97\d)$")
SIREN_RE = re.compile(r"^\d{9}$")
FINESS_RE = re.compile(r"^(\d{9}|2[AB]\d{7})$")
RPPS_RE = re.compile(r"^\d{11}$")
ADELI_RE = re.compile(r"^(\d{9}|2[AB]\d{7})$")


def compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_insee_commune(value: str) -> None:
    if not INSEE_COMMUNE_RE.match(value or ""):
        raise ValidationError(
            "Code commune Insee invalide : 5 caractères (ex. 59526, ou 2A004 en Corse).",
            code="insee_format",
        )


def validate_postal_code(value: str) -> None:
    if not POSTAL_CODE_RE.match(value or ""):
        raise ValidationError("Code postal invalide : 5 chiffres.", code="postal_format")


def validate_siret(value: str) -> None:
    try:
        stdnum_siret.validate(compact(value))
    except InvalidLength as exc:
        raise ValidationError("Le SIRET compte 14 chiffres.", code="siret_length") from exc
    except InvalidFormat as exc:
        raise ValidationError(
            "Le SIRET ne contient que des chiffres.", code="siret_format"
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            "SIRET invalide : la clé de contrôle ne correspond pas. Vérifiez la saisie.",
            code="siret_checksum",
        ) from exc


def validate_siren(value: str) -> None:
    try:
        stdnum_siren.validate(compact(value))
    except (InvalidLength, InvalidFormat) as exc:
        raise ValidationError("Le SIREN compte 9 chiffres.", code="siren_format") from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            "SIREN invalide : clé de contrôle incorrecte.", code="siren_checksum"
        ) from exc


def validate_finess(value: str) -> None:
    if not FINESS_RE.match(compact(value)):
        raise ValidationError(
            "Numéro FINESS invalide : 9 caractères (chiffres, ou 2A/2B en tête pour la Corse).",
            code="finess_format",
        )


def finess_warning(value: str) -> str | None:
    """The FINESS key rule is not confirmed: a failing key is reported, never rejected."""
    value = compact(value)
    if not value or not value.isdigit():
        return None
    if not luhn.is_valid(value):
        return f"FINESS {value} : la clé de contrôle usuelle ne correspond pas, vérifiez le numéro."
    return None


def validate_rpps(value: str) -> None:
    if not RPPS_RE.match(compact(value)):
        raise ValidationError("Numéro RPPS invalide : 11 chiffres.", code="rpps_format")


def rpps_warning(value: str) -> str | None:
    """The RPPS key rule is not confirmed (it fails on official examples): warn only."""
    value = compact(value)
    if value and value.isdigit() and not luhn.is_valid(value):
        return f"RPPS {value} : la clé de contrôle usuelle ne correspond pas, vérifiez le numéro."
    return None


def validate_adeli(value: str) -> None:
    if not ADELI_RE.match(compact(value)):
        raise ValidationError("Numéro ADELI invalide : 9 caractères.", code="adeli_format")


def validate_nir(value: str) -> None:
    """NIR (15 characters with the key); Corsica's 2A/2B are handled by python-stdnum."""
    try:
        stdnum_nir.validate(compact(value))
    except InvalidLength as exc:
        raise ValidationError(
            "Le NIR compte 15 caractères (13 + clé de 2 chiffres).", code="nir_length"
        ) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError("NIR invalide : format non reconnu.", code="nir_format") from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            "NIR invalide : la clé ne correspond pas aux 13 premiers caractères.",
            code="nir_checksum",
        ) from exc
