"""The demo city's halls: one for the whole city, one per kind of membership."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.models import User
from portal.deliberation.models import TOOLS, Hall, HallEvent, HallMember
from portal.responsibility.models import Area


def _v(en, zh_hans, zh_hant, es, ar, bo, ug):
    return {"en": en, "zh-Hans": zh_hans, "zh-Hant": zh_hant, "es": es, "ar": ar, "bo": bo, "ug": ug}


# slug, area, policy, hosts, members, name, purpose
HALLS = [
    ("riverbend-forum", "riverbend", "open", ["admin@riverbend.example.org"],
     ["resident@riverbend.example.org", "resident.zh@riverbend.example.org"],
     _v("Riverbend city forum", "河湾市议事厅", "河灣市議事廳", "Foro de la ciudad de Riverbend",
        "منتدى مدينة ريفربند", "རི་ཝར་བེན་གྲོང་ཁྱེར་གྱི་གྲོས་ཚོགས།", "رىۋېربېند شەھەر مۇنبىرى"),
     _v("Questions that concern the whole city: the budget, transport, parks and how the portal itself works.",
        "关于全市的议题：预算、交通、公园，以及本门户如何运作。",
        "關於全市的議題：預算、交通、公園，以及本入口網站如何運作。",
        "Asuntos de toda la ciudad: el presupuesto, el transporte, los parques y el funcionamiento del propio portal.",
        "قضايا تهم المدينة كلها: الميزانية والنقل والحدائق وطريقة عمل البوابة نفسها.",
        "གྲོང་ཁྱེར་ཡོངས་ལ་འབྲེལ་བའི་གནད་དོན། འཆར་རྩིས་དང་། འགྲིམ་འགྲུལ། གླིང་ག་བཅས།",
        "پۈتۈن شەھەرگە مۇناسىۋەتلىك ئىشلار: خامچوت، قاتناش، باغچىلار ۋە پورتالنىڭ ئۆزى.")),
    ("stone-bridge", "old-bridge", "area", ["oldtown@riverbend.example.org", "org@riverbend.example.org"],
     ["resident@riverbend.example.org"],
     _v("Stone Bridge neighbours", "石桥邻里议事厅", "石橋鄰里議事廳", "Vecinos de Puente de Piedra",
        "جيران الجسر الحجري", "རྡོ་ཟམ་ཁྱིམ་མཚེས།", "تاش كۆۋرۈك قوشنىلىرى"),
     _v("For people who live, work or study around the stone bridge: lighting, the riverside path and the Saturday market.",
        "为石桥一带居住、工作或学习的人：路灯、河边步道和周六集市。",
        "為石橋一帶居住、工作或學習的人：路燈、河邊步道和週六市集。",
        "Para quienes viven, trabajan o estudian junto al puente de piedra: el alumbrado, el paseo del río y el mercado del sábado.",
        "لمن يسكن أو يعمل أو يدرس قرب الجسر الحجري: الإنارة وممشى النهر وسوق السبت.",
        "རྡོ་ཟམ་ཉེ་འཁོར་དུ་སྡོད་པ་དང་ལས་ཀ་བྱེད་པ། སློབ་སྦྱོང་བྱེད་པའི་མི་རྣམས་ཆེད།",
        "تاش كۆۋرۈك ئەتراپىدا ئولتۇرىدىغان، ئىشلەيدىغان ياكى ئوقۇيدىغانلار ئۈچۈن: چىراغ، دەريا بويى يولى ۋە شەنبە بازىرى.")),
    ("fishers-council", "harbour-fish", "invitation", ["org@riverbend.example.org"], [],
     _v("Fishers' Village council", "渔人新村议事会", "漁人新村議事會", "Consejo de la Aldea de los Pescadores",
        "مجلس قرية الصيادين", "ཉ་པའི་གྲོང་གསེབ་ཀྱི་གྲོས་ཚོགས།", "بېلىقچىلار كەنتى كېڭىشى"),
     _v("The village's elected council and the people it invites prepare proposals for the harbour district.",
        "村民选出的议事会和受邀居民为港区准备提案。",
        "村民選出的議事會和受邀居民為港區準備提案。",
        "El consejo elegido por la aldea y las personas que invita preparan propuestas para el distrito del puerto.",
        "يعدّ مجلس القرية المنتخب ومن يدعوهم مقترحات لحي الميناء.",
        "གྲོང་གསེབ་ཀྱི་གྲོས་ཚོགས་དང་མགྲོན་འབོད་བྱས་པའི་མི་རྣམས་ཀྱིས་གྲུ་ཁ་ས་ཁུལ་གྱི་གྲོས་འཆར་གྲ་སྒྲིག་བྱེད།",
        "كەنت كېڭىشى ۋە ئۇ تەكلىپ قىلغانلار پورت رايونى ئۈچۈن تەكلىپ تەييارلايدۇ.")),
]

RULES = _v(
    "Be kind and stay on topic. Say what you think and why. Hosts hide posts that insult anyone or "
    "share someone's personal details, and say why.",
    "友善发言，紧扣主题。说出你的看法和理由。主持人会隐藏侮辱他人或泄露他人个人信息的内容，并说明原因。",
    "友善發言，緊扣主題。說出你的看法和理由。主持人會隱藏侮辱他人或洩露他人個人資料的內容，並說明原因。",
    "Sea amable y no se salga del tema. Diga lo que piensa y por qué. Quienes moderan ocultan los mensajes "
    "que insultan o revelan datos personales, y explican el motivo.",
    "كن لطيفًا والتزم بالموضوع. قل رأيك وسببه. يخفي المضيفون المنشورات التي تهين أحدًا أو تكشف بياناته الشخصية، ويذكرون السبب.",
    "བརྩེ་བས་བཤད་ནས་བརྗོད་གཞི་ལས་མ་འགལ། ཁྱེད་ཀྱི་བསམ་ཚུལ་དང་རྒྱུ་མཚན་བཤད།",
    "ئەدەپلىك بولۇڭ ۋە تېمىدىن چەتنىمەڭ. پىكرىڭىز ۋە سەۋەبىنى ئېيتىڭ. رىياسەتچىلەر باشقىلارنى ھاقارەتلىگەن ياكى "
    "شەخسىي ئۇچۇرىنى ئاشكارىلىغان يازمىلارنى يوشۇرىدۇ ۋە سەۋەبىنى ئېيتىدۇ.",
)


def seed(session: Session) -> int:
    """The demo halls, once (halls that exist are kept as they are)."""
    from portal.deliberation.services import index_hall

    have = set(session.scalars(select(Hall.slug)))
    users = {u.email: u for u in session.scalars(select(User))}
    areas = {a.code: a for a in session.scalars(select(Area))}
    created = 0
    for slug, area, policy, hosts, members, names, purposes in HALLS:
        if slug in have or area not in areas:
            continue
        hall = Hall(slug=slug, area_id=areas[area].id, policy=policy, tools=list(TOOLS),
                    name_i18n=names, purpose_i18n=purposes, rules_i18n=RULES, source_locale="en",
                    created_by_id=users[hosts[0]].id if hosts[0] in users else None)
        session.add(hall)
        session.flush()
        people = [(e, "host") for e in hosts] + [(e, "member") for e in members]
        for email, role in people:
            if email in users:
                session.add(HallMember(hall_id=hall.id, user_id=users[email].id, role=role))
        hall.member_count = sum(1 for email, _role in people if email in users)
        session.add(HallEvent(hall_id=hall.id, kind="opened", actor_id=hall.created_by_id))
        index_hall(session, hall)
        created += 1
    session.commit()
    from portal.deliberation.report_kinds import seed as seed_reports

    return (created + seed_debates(session) + seed_proposals(session) + seed_proposal_comments(session)
            + seed_polls(session) + seed_meetings(session) + seed_reports(session) + seed_follows(session))


# --- debates ------------------------------------------------------------------------------------
# User content, each in the language its writer used (source_locale / locale).
# hall, title, description, locale, host, comments (author, stance, body, locale, reply to #),
# conclusion (None: still open)
DEBATES = [
    ("riverbend-forum", "Should the riverside road close to cars on Sundays?",
     "From May to September the road along the river could be for people on foot and on bikes "
     "every Sunday. What would it change for you?", "en", "admin@riverbend.example.org",
     [("resident@riverbend.example.org", "for", "Yes: the children could cycle safely and the "
       "cafés would have more room.", "en", None),
      ("resident.zh@riverbend.example.org", "against", "周日我要开车送母亲去河边诊所，请保留一条车道。",
       "zh-Hans", None),
      ("resident@riverbend.example.org", "neutral", "Could the clinic's entrance stay open to "
       "cars, with a slow lane?", "en", 2),
      ("admin@riverbend.example.org", "neutral", "The hosts will ask the clinic and the "
       "transport department.", "en", 3)],
     None),
    ("stone-bridge", "Where should the Saturday market's new benches go?",
     "The district can buy six benches this year.", "en", "oldtown@riverbend.example.org",
     [("resident@riverbend.example.org", "for", "Near the bridge, in the shade of the lime trees.",
       "en", None)],
     "Four benches go under the lime trees near the bridge and two by the fountain; the district "
     "orders them in January."),
]


def seed_debates(session: Session) -> int:
    """The demo debates, once per hall (a hall with debates is kept as it is)."""
    from portal.deliberation.debates import STANCE_COUNTERS, index_debate
    from portal.deliberation.models import Debate, DebateComment

    users = {u.email: u for u in session.scalars(select(User))}
    halls = {h.slug: h for h in session.scalars(select(Hall))}
    busy = set(session.scalars(select(Debate.hall_id)))
    created = 0
    for slug, title, description, locale, host, comments, conclusion in DEBATES:
        hall = halls.get(slug)
        if hall is None or hall.id in busy or host not in users:
            continue
        debate = Debate(hall_id=hall.id, title=title, description=description,
                        source_locale=locale, created_by_id=users[host].id)
        session.add(debate)
        session.flush()
        session.add(HallEvent(hall_id=hall.id, kind="debate_opened", actor_id=users[host].id,
                              data={"debate_id": debate.id, "title": title, "lang": locale}))
        made: list[DebateComment] = []
        for author, stance, body, comment_locale, reply_to in comments:
            if author not in users:
                continue
            parent = made[reply_to - 1] if reply_to and reply_to <= len(made) else None
            item = DebateComment(debate_id=debate.id, parent_id=parent.id if parent else None,
                                 depth=parent.depth + 1 if parent else 1, author_id=users[author].id,
                                 stance=stance, body=body, locale=comment_locale)
            session.add(item)
            session.flush()
            made.append(item)
            debate.comment_count += 1
            counter = STANCE_COUNTERS[stance]
            setattr(debate, counter, getattr(debate, counter) + 1)
        if conclusion:
            debate.state, debate.conclusion, debate.conclusion_locale = "closed", conclusion, locale
            debate.closed_by_id = users[host].id
            debate.closed_at = debate.created_at
            session.add(HallEvent(hall_id=hall.id, kind="debate_closed", actor_id=users[host].id,
                                  data={"debate_id": debate.id, "title": title, "lang": locale,
                                        "conclusion": conclusion, "conclusion_lang": locale}))
        index_debate(session, debate)
        created += 1
    session.commit()
    return created


# --- proposals: one gathering supports, one with the department, one accepted with progress ----

# title, body, author, area, category (None: not sure), locale, state, supporters, note, milestones
PROPOSALS = [
    ("Benches along the riverside path",
     "Older neighbours walk the riverside path every morning and have **nowhere to rest**.\n\n"
     "- three benches between the stone bridge and the market\n- one in the shade of the willows",
     "resident@riverbend.example.org", "old-bridge", None, "en", "published",
     ["resident.zh@riverbend.example.org"], "", []),
    ("Más papeleras en el mercado del sábado",
     "Cada sábado las papeleras del mercado se llenan antes del mediodía. Proponemos *el doble* de "
     "papeleras y una recogida extra a las 13:00.",
     "resident@riverbend.example.org", "old-market", "litter", "es", "evaluation",
     ["resident.zh@riverbend.example.org", "admin@riverbend.example.org"], "", []),
    ("河邊步道加裝路燈",
     "晚上河邊步道很暗，行人和騎車的人都看不清。建議每三十米加裝一盞節能路燈。",
     "resident.zh@riverbend.example.org", "old-town", "streetlight", "zh-Hant", "accepted",
     ["resident@riverbend.example.org", "admin@riverbend.example.org"],
     "We will light the whole path this spring.",
     [("Survey of the path done", date(2027, 1, 15), 20, ""),
      ("Lamps ordered", date(2027, 2, 20), 50, "Forty energy-saving lamps.")]),
]


def seed_proposals(session: Session) -> int:
    """The demo proposals in the city forum, once (none when the forum has some already)."""
    from portal.deliberation import proposals as svc
    from portal.deliberation.models import (
        Proposal,
        ProposalAmendment,
        ProposalEvent,
        ProposalMilestone,
        ProposalSupport,
    )
    from portal.responsibility.models import ServiceCategory
    from portal.responsibility.services import dispatcher, route

    hall = session.scalar(select(Hall).where(Hall.slug == "riverbend-forum"))
    if hall is None or session.scalar(select(Proposal.id).where(Proposal.hall_id == hall.id)):
        return 0
    hall.support_threshold = 2
    users = {u.email: u for u in session.scalars(select(User))}
    areas = {a.code: a for a in session.scalars(select(Area))}
    cats = {c.service_code: c for c in session.scalars(select(ServiceCategory))}
    created = 0
    for title, body, author, area, cat, locale, state, supporters, note, steps in PROPOSALS:
        if author not in users or area not in areas:
            continue
        category = cats.get(cat) if cat else None
        proposal = Proposal(hall_id=hall.id, author_id=users[author].id, area_id=areas[area].id,
                            category_id=category.id if category else None, title=title, body=body,
                            body_html=svc.render_body(body), source_locale=locale, state=state,
                            published=True, published_at=hall.created_at)
        people = [users[e] for e in supporters if e in users]
        proposal.support_count = len(people)
        session.add(proposal)
        session.flush()
        session.add_all([ProposalSupport(proposal_id=proposal.id, user_id=p.id) for p in people])
        kinds = ["created", "published"]
        if state in ("evaluation", "accepted"):
            lead = route(session, category, areas[area]).lead if category else dispatcher(session)
            proposal.department_id = lead.id
            kinds.append("evaluation")
        if state == "accepted":
            proposal.answer_note, proposal.answered_at = note, hall.created_at
            proposal.progress = steps[-1][2] if steps else 0
            kinds.append("answered_accepted")
        session.add_all([ProposalEvent(proposal_id=proposal.id, kind=k, state=state, data={})
                         for k in kinds])
        for step_title, on, percent, step_note in steps:
            session.add(ProposalMilestone(proposal_id=proposal.id, title=step_title, on=on,
                                          percent=percent, note=step_note))
        session.add(HallEvent(hall_id=hall.id, kind="proposal_published", actor_id=users[author].id,
                              data=svc.timeline_data(proposal)))
        if state == "published" and supporters and supporters[0] in users:
            amended = body + "\n\n1. benches with armrests\n2. a drinking fountain"
            session.add(ProposalAmendment(proposal_id=proposal.id, author_id=users[supporters[0]].id,
                                          body=amended, body_html=svc.render_body(amended)))
        svc.sync_queue(session, proposal)
        svc.index_proposal(session, proposal)
        created += 1
    session.commit()
    return created


# --- proposal comments: a short thread on the benches, each comment in its writer's language ---

# author, body, locale, reply to (1-based index of an earlier comment, or None)
PROPOSAL_COMMENTS = [
    ("resident.zh@riverbend.example.org", "早上在河边散步的老人很多，长椅真的很需要。\n最好有靠背。", "zh-Hans", None),
    ("resident@riverbend.example.org", "Agreed: backrests and armrests help people stand up again.", "en", 1),
    ("admin@riverbend.example.org", "The parks department asks which spots get the morning shade.", "en", 2),
    ("resident@riverbend.example.org", "Could one bench face the river near the stone bridge?", "en", None),
]


def seed_proposal_comments(session: Session) -> int:
    """A few comments on the first demo proposal, once (none when it has some already)."""
    from portal.deliberation.models import Proposal, ProposalComment

    title = PROPOSALS[0][0]
    proposal = session.scalar(select(Proposal).where(Proposal.title == title))
    if proposal is None or session.scalar(
            select(ProposalComment.id).where(ProposalComment.proposal_id == proposal.id).limit(1)):
        return 0
    from datetime import timedelta

    from portal.core.models import utcnow

    users = {u.email: u for u in session.scalars(select(User))}
    made: list[ProposalComment] = []
    for n, (author, body, locale, reply_to) in enumerate(PROPOSAL_COMMENTS):
        if author not in users:
            continue
        parent = made[reply_to - 1] if reply_to and reply_to <= len(made) else None
        item = ProposalComment(proposal_id=proposal.id, parent_id=parent.id if parent else None,
                               depth=parent.depth + 1 if parent else 1, author_id=users[author].id,
                               body=body, locale=locale,
                               created_at=utcnow() - timedelta(days=2, hours=len(PROPOSAL_COMMENTS) - n))
        session.add(item)
        session.flush()
        made.append(item)
    proposal.comment_count = len(made)
    session.commit()
    return len(made)


# --- meetings: one coming up with registrations, one past with minutes and a decision ----------

def seed_meetings(session: Session) -> int:
    """The demo meetings of the city forum, once (none when the forum has meetings already).
    Times are relative to today, so the demo always has one coming up and one past."""
    from datetime import timedelta

    from portal.core.models import utcnow
    from portal.deliberation.meetings import _code
    from portal.deliberation.models import (
        Meeting,
        MeetingAgendaItem,
        MeetingDecision,
        MeetingRegistration,
        Proposal,
    )

    hall = session.scalar(select(Hall).where(Hall.slug == "riverbend-forum"))
    if hall is None or session.scalar(select(Meeting.id).where(Meeting.hall_id == hall.id)):
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    host = users.get("admin@riverbend.example.org")
    people = [users[e] for e in ("resident@riverbend.example.org", "resident.zh@riverbend.example.org")
              if e in users]
    benches = session.scalar(select(Proposal).where(Proposal.hall_id == hall.id)
                             .order_by(Proposal.id))
    today = utcnow().replace(hour=17, minute=0, second=0, microsecond=0)
    coming = Meeting(
        hall_id=hall.id, title="Open evening on next year's budget",
        description="The finance department shows where the city's money goes next year.\n"
                    "Bring your questions; interpreters for Chinese and Spanish are there.",
        source_locale="en", starts_at=today + timedelta(days=10), ends_at=today + timedelta(days=10, hours=2),
        format="hybrid", address="City Hall, council room, 1 City Hall Square",
        online_url="https://meet.riverbend.example.org/budget", capacity=40,
        created_by_id=host.id if host else None)
    past = Meeting(
        hall_id=hall.id, title="Walk along the riverside path",
        description="We walk the path together and note where benches and lamps are missing.",
        source_locale="en", starts_at=today - timedelta(days=20), ends_at=today - timedelta(days=20, hours=-2),
        format="in_person", address="Meet at the stone bridge, north end", capacity=0,
        minutes="Twelve neighbours walked from the stone bridge to the market.\n"
                "We counted four places for benches and six dark stretches.",
        minutes_locale="en", minutes_published_at=today - timedelta(days=19),
        created_by_id=host.id if host else None)
    session.add_all([coming, past])
    session.flush()
    for meeting in (coming, past):
        for person in people:
            session.add(MeetingRegistration(meeting_id=meeting.id, user_id=person.id, code=_code(session),
                                            state="registered", attended=meeting is past))
            session.flush()
        meeting.registered_count = len(people)
        session.add(HallEvent(hall_id=hall.id, kind="meeting_scheduled", actor_id=meeting.created_by_id,
                              data={"meeting_id": meeting.id, "title": meeting.title, "lang": "en"}))
    past.attended_count = len(people)
    proposal_id = benches.id if benches else None
    session.add_all([
        MeetingAgendaItem(meeting_id=coming.id, position=1, title="Welcome and how the evening works",
                          duration_minutes=10),
        MeetingAgendaItem(meeting_id=coming.id, position=2, title="The budget, department by department",
                          duration_minutes=60),
        MeetingAgendaItem(meeting_id=coming.id, position=3, title="Benches along the riverside path",
                          duration_minutes=20, proposal_id=proposal_id),
        MeetingAgendaItem(meeting_id=past.id, position=1, title="The walk", duration_minutes=90),
        MeetingDecision(meeting_id=past.id, text="The forum asks for four benches on the riverside "
                        "path, as the proposal says.", locale="en", proposal_id=proposal_id,
                        created_by_id=past.created_by_id),
        HallEvent(hall_id=hall.id, kind="meeting_held", actor_id=past.created_by_id,
                  data={"meeting_id": past.id, "title": past.title, "lang": "en"}),
        HallEvent(hall_id=hall.id, kind="meeting_decided", actor_id=past.created_by_id,
                  data={"meeting_id": past.id, "title": past.title, "lang": "en", "proposal_id": proposal_id}),
    ])
    session.commit()
    return 2


# --- votes: an open poll and a closed one with its ballots, in the city forum ----------------
# title, description, locale, opens (days from now), closes, results, questions
# (text, kind, max choices, options), ballots (voter, option numbers chosen per question)
POLLS = [
    ("Summer in the parks", "Which events should the parks host this summer? The hosts pass the "
     "result to the parks department.", "en", -2, 60, "live",
     [("Which event first?", "single", 1, ["Open-air cinema", "Music in the bandstand", "A book fair"]),
      ("What else would you like?", "multiple", 2, ["Yoga mornings", "A chess corner", "Story time"])],
     [("resident.zh@riverbend.example.org", [[2], [1, 3]])]),
    ("河边步道的开放时间", "投票决定河边步道夜间是否开放。", "zh-Hans", -30, -2, "after_close",
     [("步道晚上开放到几点？", "single", 1, ["晚上十点", "午夜", "整夜开放"])],
     [("resident@riverbend.example.org", [[2]]), ("resident.zh@riverbend.example.org", [[2]]),
      ("admin@riverbend.example.org", [[1]])]),
]


def seed_polls(session: Session) -> int:
    """The demo polls in the city forum, once (none when the forum has some already)."""
    from datetime import timedelta

    from portal.core.models import utcnow
    from portal.deliberation.models import Ballot, BallotChoice, Poll, PollOption, PollQuestion
    from portal.deliberation.polls import timeline_data

    hall = session.scalar(select(Hall).where(Hall.slug == "riverbend-forum"))
    if hall is None or session.scalar(select(Poll.id).where(Poll.hall_id == hall.id)):
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    host = users.get("admin@riverbend.example.org")
    now = utcnow().replace(second=0, microsecond=0)
    created = 0
    for title, description, locale, opens, closes, results, questions, ballots in POLLS:
        closed = closes < 0
        poll = Poll(hall_id=hall.id, title=title, description=description, source_locale=locale,
                    opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes),
                    results=results, state="closed" if closed else "open",
                    closed_at=now + timedelta(days=closes) if closed else None,
                    created_by_id=host.id if host else None)
        poll.questions = [
            PollQuestion(position=i, text=text, kind=kind, max_choices=most,
                         options=[PollOption(position=j, text=o) for j, o in enumerate(options)])
            for i, (text, kind, most, options) in enumerate(questions)]
        session.add(poll)
        session.flush()
        for email, picks in ballots:
            if email not in users:
                continue
            session.add(Ballot(poll_id=poll.id, user_id=users[email].id))
            poll.ballot_count += 1
            for question, chosen in zip(poll.questions, picks, strict=False):
                if chosen:
                    question.answer_count += 1
                for number in chosen:
                    option = question.options[number - 1]
                    option.vote_count += 1
                    session.add(BallotChoice(poll_id=poll.id, option_id=option.id))
        session.add(HallEvent(hall_id=hall.id, kind="poll_opened", actor_id=poll.created_by_id,
                              data=timeline_data(poll)))
        if closed:
            session.add(HallEvent(hall_id=hall.id, kind="poll_closed", data=timeline_data(poll)))
        created += 1
    session.commit()
    return created


# --- follows --------------------------------------------------------------------------------------
# What joining, commenting and proposing would have followed (the demo content is written
# directly, not through the services), and one demo resident who chose a daily digest.
DAILY_FOLLOWER = ("resident.zh@riverbend.example.org", "riverbend-forum")


def seed_follows(session: Session) -> int:
    """The demo follows, once each (a follow that exists is kept as it is)."""
    from portal.deliberation.models import Debate, DebateComment, Follow, Proposal

    have = set(session.execute(select(Follow.user_id, Follow.target_kind, Follow.target_id)))
    users = {u.id: u for u in session.scalars(select(User))}
    wanted: list[tuple[int, str, int]] = []
    wanted += [(m.user_id, "hall", m.hall_id) for m in session.scalars(
        select(HallMember).where(HallMember.state == "active"))]
    wanted += [(user_id, "debate", debate_id) for debate_id, user_id in session.execute(
        select(DebateComment.debate_id, DebateComment.author_id).distinct())]
    wanted += [(user_id, "debate", debate_id) for debate_id, user_id in session.execute(
        select(Debate.id, Debate.created_by_id)) if user_id is not None]
    wanted += [(user_id, "proposal", proposal_id) for proposal_id, user_id in session.execute(
        select(Proposal.id, Proposal.author_id))]
    daily_hall = session.scalar(select(Hall.id).where(Hall.slug == DAILY_FOLLOWER[1]))
    created = 0
    for user_id, kind, target_id in dict.fromkeys(wanted):
        if (user_id, kind, target_id) in have or user_id not in users:
            continue
        frequency = users[user_id].notify_mode
        if users[user_id].email == DAILY_FOLLOWER[0] and kind == "hall" and target_id == daily_hall:
            frequency = "daily"
        session.add(Follow(user_id=user_id, target_kind=kind, target_id=target_id, frequency=frequency))
        created += 1
    session.commit()
    return created
