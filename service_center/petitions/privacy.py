"""Keeping personal data out of the service centre's free text shown to those who may not see
the petitioner: the public (Open311, the nearby list, the "me too" page), supporting agencies
and the mayor's office. The masking itself is the core's (`rdec_portal.masking`); this adds what
a petition's own details are.
"""

from rdec_portal.masking import MASK, PersonalDataMask, mask_personal_data

__all__ = ["MASK", "PETITIONER_FIELDS", "PersonalDataMask", "mask_personal_data", "petition_mask"]

# A petition's personal data: what only its handlers see, what each staff view of it audits, and
# what masking reads to recognise the petitioner's own details in the free text.
PETITIONER_FIELDS = (
    "petitioner_name",
    "petitioner_email",
    "petitioner_phone",
    "petitioner_address",
)


def petition_mask(petition) -> PersonalDataMask:
    """The masking for one petition's texts: its petitioner's own details, and contact shapes."""
    return PersonalDataMask(
        name=petition.petitioner_name,
        email=petition.petitioner_email,
        phone=petition.petitioner_phone,
        address=petition.petitioner_address,
    )
