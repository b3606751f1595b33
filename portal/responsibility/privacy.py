"""Staff's links to departments and their edits of the responsibility list stay with the
account's tombstone (portal.core.privacy); staff accounts are not deleted by themselves."""

from __future__ import annotations

from portal.core import privacy
from portal.responsibility.models import (
    AreaBoundary,
    BoundaryUpload,
    Department,
    ResponsibilityRule,
    staff_department,
)

privacy.register(privacy.Part(
    "responsibility_work",
    covers=(staff_department.c.user_id, Department.supervisor_id, ResponsibilityRule.created_by_id,
            AreaBoundary.created_by_id, BoundaryUpload.created_by_id)))
