"""Reports a person sent, in their data download; what moderators decided stays
(portal.core.privacy)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core import privacy
from portal.moderation.models import ContentReport, PostingBlock, QueueItem, ReportedItem

privacy.register(privacy.Part(
    "content_reports", _l("The content you reported to the moderators."),
    covers=(ContentReport.reporter_id,),
    export=privacy.rows_of(ContentReport.reporter_id, leave=("reported_item_id",)),
    position=60))
privacy.register(privacy.Part(
    "posting_blocks", _l("Whether the moderators stopped you from posting, and why."),
    covers=(PostingBlock.user_id,),
    export=privacy.rows_of(PostingBlock.user_id, leave=("blocked_by_id",)), position=61))
# The moderation record stays with the tombstone: what was reported and decided.
privacy.register(privacy.Part(
    "moderation_work",
    covers=(QueueItem.assigned_user_id, ReportedItem.author_id, ReportedItem.decided_by_id,
            PostingBlock.blocked_by_id)))
