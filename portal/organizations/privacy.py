"""Organization memberships in a member's data download; they go with the account
(portal.core.privacy). The organization itself stays: it is not one person's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core import privacy
from portal.organizations.models import Organization, OrganizationMember

privacy.register(privacy.Part(
    "organizations", _l("The organizations you belong to or were invited to, and your role."),
    covers=(OrganizationMember.user_id,),
    export=privacy.rows_of(OrganizationMember.user_id, leave=("invited_by_id",)),
    erase=privacy.delete_rows(OrganizationMember.user_id), position=50))
privacy.register(privacy.Part(
    "organization_work",
    covers=(Organization.created_by_id, Organization.verified_by_id,
            OrganizationMember.invited_by_id)))
