"""Demo data: the city of Riverbend in every language. Running it twice keeps what exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.models import User, UserRole, utcnow
from portal.core.passwords import hash_password
from portal.core.roles import ADMIN, MODERATOR, ORG_MEMBER, STAFF
from portal.responsibility.models import Area, Department, staff_department

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo data only



def demo_accounts() -> str:
    """The demo accounts as ``make run`` and ``make run-prod`` print them (no app needed)."""
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {email:<34} {', '.join(roles) or 'resident'}"
              for email, _name, roles, _depts, _locale in DEMO_USERS]
    return "\n".join(lines)

def names(en, zh_hans, zh_hant, es, ar, bo, ug):
    return {"en": en, "zh-Hans": zh_hans, "zh-Hant": zh_hant, "es": es, "ar": ar, "bo": bo, "ug": ug}


# code, level, parent code, names
AREAS = [
    ("riverbend", "city", None, names("Riverbend", "河湾市", "河灣市", "Riverbend", "ريفربند", "ཆུ་ཁུག་གྲོང་ཁྱེར།", "دەريا قولتۇقى")),
    ("north", "district", "riverbend", names("North District", "北区", "北區", "Distrito Norte", "الحي الشمالي", "བྱང་ཕྱོགས་ས་ཁུལ།", "شىمالىي رايون")),
    ("old-town", "district", "riverbend", names("Old Town", "老城区", "老城區", "Casco Antiguo", "البلدة القديمة", "གྲོང་རྙིང་ས་ཁུལ།", "كونا شەھەر رايونى")),
    ("harbour", "district", "riverbend", names("Harbour District", "港区", "港區", "Distrito del Puerto", "حي الميناء", "གྲུ་ཁ་ས་ཁུལ།", "پورت رايونى")),
    ("north-maple", "community", "north", names("Maple Court", "枫林社区", "楓林社區", "Comunidad Los Arces", "مجتمع القيقب", "ཙན་དན་ནགས་སྡེ་ཁུལ།", "ئەرەن مەھەللىسى")),
    ("north-hill", "community", "north", names("Hillside", "山坡社区", "山坡社區", "La Ladera", "مجتمع سفح التل", "རི་ངོས་སྡེ་ཁུལ།", "ئېدىر مەھەللىسى")),
    ("old-market", "community", "old-town", names("Market Square", "市场社区", "市場社區", "Plaza del Mercado", "ساحة السوق", "ཚོང་ར་སྡེ་ཁུལ།", "بازار مەيدانى مەھەللىسى")),
    ("old-bridge", "community", "old-town", names("Stone Bridge", "石桥社区", "石橋社區", "Puente de Piedra", "الجسر الحجري", "རྡོ་ཟམ་སྡེ་ཁུལ།", "تاش كۆۋرۈك مەھەللىسى")),
    ("harbour-quay", "community", "harbour", names("East Quay", "东码头社区", "東碼頭社區", "Muelle Este", "الرصيف الشرقي", "ཤར་ཕྱོགས་གྲུ་ཁ་སྡེ་ཁུལ།", "شەرقىي پىرىستان مەھەللىسى")),
    # Named by its district office in Chinese first (its source language), now in every language.
    ("harbour-fish", "community", "harbour", names("Fishers' Village", "渔人新村", "漁人新村", "Aldea de los Pescadores", "قرية الصيادين", "ཉ་པའི་གྲོང་གསེབ།", "بېلىقچىلار كەنتى")),
]

SOURCE_LOCALES = {"harbour-fish": "zh-Hans"}

# code, level, parent code, names, email, phone
DEPARTMENTS = [
    ("city", "city", None, names("Riverbend City Government", "河湾市人民政府", "河灣市人民政府", "Gobierno de la Ciudad de Riverbend", "حكومة مدينة ريفربند", "ཆུ་ཁུག་གྲོང་ཁྱེར་སྲིད་གཞུང་།", "دەريا قولتۇقى شەھەرلىك ھۆكۈمىتى"), "city@riverbend.example.org", "+1 555 0100"),
    ("dispatch", "city", "city", names("Citizen Service Dispatch Centre", "市民服务派单中心", "市民服務派單中心", "Centro de Despacho de Atención Ciudadana", "مركز توزيع خدمات المواطنين", "མི་དམངས་ཞབས་ཞུ་བགོ་འགྲེམ་ལྟེ་གནས།", "پۇقرالار مۇلازىمىتى تەقسىملەش مەركىزى"), "12345@riverbend.example.org", "12345"),
    ("roads", "city", "city", names("Roads and Transport Bureau", "交通运输局", "交通運輸局", "Oficina de Vías y Transporte", "مكتب الطرق والنقل", "ལམ་དང་འགྲུལ་འདྲེན་ཅུས།", "يول ۋە قاتناش ئىدارىسى"), "roads@riverbend.example.org", "+1 555 0110"),
    ("water", "city", "city", names("Water Utility", "水务集团", "水務集團", "Empresa de Aguas", "مرفق المياه", "ཆུ་ལས་ཁང་།", "سۇ ئىشلىرى شىركىتى"), "water@riverbend.example.org", "+1 555 0120"),
    ("sanitation", "city", "city", names("Sanitation and Environment Bureau", "城市管理和环境卫生局", "城市管理和環境衛生局", "Oficina de Limpieza y Medio Ambiente", "مكتب النظافة والبيئة", "གཙང་སྦྲ་དང་ཁོར་ཡུག་ཅུས།", "تازىلىق ۋە مۇھىت ئىدارىسى"), "clean@riverbend.example.org", "+1 555 0130"),
    ("parks", "city", "city", names("Parks and Green Spaces", "园林绿化局", "園林綠化局", "Parques y Zonas Verdes", "الحدائق والمساحات الخضراء", "ལྡུམ་ར་དང་ལྗང་ཁུ་ཅུས།", "باغچا ۋە يېشىللىق ئىدارىسى"), "parks@riverbend.example.org", "+1 555 0140"),
    ("north-office", "district", "city", names("North District Office", "北区政府", "北區政府", "Junta del Distrito Norte", "مكتب الحي الشمالي", "བྱང་ཕྱོགས་ས་ཁུལ་ལས་ཁུངས།", "شىمالىي رايون ئىشخانىسى"), "north@riverbend.example.org", "+1 555 0200"),
    ("old-town-office", "district", "city", names("Old Town District Office", "老城区政府", "老城區政府", "Junta del Casco Antiguo", "مكتب البلدة القديمة", "གྲོང་རྙིང་ས་ཁུལ་ལས་ཁུངས།", "كونا شەھەر رايونلۇق ئىشخانىسى"), "oldtown@riverbend.example.org", "+1 555 0300"),
    ("maple-committee", "community", "north-office", names("Maple Court Community Committee", "枫林社区居委会", "楓林社區居委會", "Comité Vecinal Los Arces", "لجنة مجتمع القيقب", "ཙན་དན་ནགས་སྡེ་ཁུལ་ཨུ་ཡོན་ལྷན་ཁང་།", "ئەرەن مەھەللە كومىتېتى"), None, "+1 555 0210"),
]

# email, name, roles, departments, locale
DEMO_USERS = [
    ("admin@riverbend.example.org", "Ada Admin", [ADMIN], [], "en"),
    ("moderator@riverbend.example.org", "Mo Moderator", [MODERATOR], [], "es"),
    ("dispatcher@riverbend.example.org", "王调度", [STAFF], ["dispatch"], "zh-Hans"),
    ("roads@riverbend.example.org", "Rosa Roads", [STAFF], ["roads"], "es"),
    ("water@riverbend.example.org", "أمل المياه", [STAFF], ["water"], "ar"),
    ("oldtown@riverbend.example.org", "Oskar Oldtown", [STAFF], ["old-town-office"], "en"),
    ("org@riverbend.example.org", "Olga Organizer", [ORG_MEMBER], [], "en"),
    ("resident@riverbend.example.org", "Rami Resident", [], [], "en"),
    ("resident.zh@riverbend.example.org", "陳美玲", [], [], "zh-Hant"),
    ("resident.ug@riverbend.example.org", "ئايگۈل", [], [], "ug"),
    ("resident.bo@riverbend.example.org", "བཀྲ་ཤིས་", [], [], "bo"),
]

# The demo city's boundaries (longitude, latitude): a river runs west to east between the
# north district and the two southern ones. Hillside has a park that belongs to no community
# (a hole: the district decides there), and Fishers' Village covers only part of the harbour
# district, so some points there are routed by the district alone.
_RIVER = [(8.000, 47.030), (8.0225, 47.0315), (8.030, 47.032), (8.045, 47.0305), (8.060, 47.029),
          (8.0675, 47.0295), (8.090, 47.031)]


def _ring(*points):
    return [[x, y] for x, y in (*points, points[0])]


BOUNDARIES = {
    "riverbend": [_ring((8.000, 47.000), (8.090, 47.000), (8.090, 47.060), (8.000, 47.060))],
    "north": [_ring(*_RIVER, (8.090, 47.060), (8.000, 47.060))],
    "old-town": [_ring((8.000, 47.000), (8.045, 47.000), *reversed(_RIVER[:4]))],
    "harbour": [_ring((8.045, 47.000), (8.090, 47.000), *reversed(_RIVER[3:]))],
    "north-maple": [_ring(*_RIVER[:4], (8.045, 47.060), (8.000, 47.060))],
    "north-hill": [_ring(*_RIVER[3:], (8.090, 47.060), (8.045, 47.060)),
                   _ring((8.065, 47.045), (8.065, 47.050), (8.075, 47.050), (8.075, 47.045))],
    "old-market": [_ring((8.000, 47.000), (8.0225, 47.000), (8.0225, 47.0315), (8.000, 47.030))],
    "old-bridge": [_ring((8.0225, 47.000), (8.045, 47.000), (8.045, 47.0305), (8.030, 47.032),
                         (8.0225, 47.0315))],
    "harbour-quay": [_ring((8.0675, 47.000), (8.090, 47.000), (8.090, 47.031), (8.0675, 47.0295))],
    "harbour-fish": [_ring((8.045, 47.000), (8.0675, 47.000), (8.0675, 47.015), (8.045, 47.015))],
}


def seed_boundaries(session: Session) -> int:
    """The demo boundaries, for areas that have none yet."""
    from portal.responsibility.geometry import current_boundaries, set_boundary

    have = current_boundaries(session)
    created = 0
    for area in session.scalars(select(Area).where(Area.code.in_(BOUNDARIES))):
        if area.id not in have:
            set_boundary(session, area, {"type": "Polygon", "coordinates": BOUNDARIES[area.code]},
                         source="demo")
            created += 1
    return created


def _upsert_tree(session: Session, model, rows, extra) -> int:
    existing = {obj.code: obj for obj in session.scalars(select(model))}
    created = 0
    for row in rows:
        code, level, parent, i18n = row[:4]
        if code in existing:
            continue
        obj = model(
            code=code, level=level, parent=existing.get(parent), name_i18n=i18n,
            source_locale=SOURCE_LOCALES.get(code, "en" if "en" in i18n else next(iter(i18n))),
            **extra(row),
        )
        session.add(obj)
        existing[code] = obj
        created += 1
    session.flush()
    return created


def seed(session: Session) -> int:
    created = _upsert_tree(session, Area, AREAS, lambda row: {})
    session.flush()
    created += seed_boundaries(session)
    created += _upsert_tree(
        session, Department, DEPARTMENTS, lambda row: {"email": row[4], "phone": row[5]}
    )
    departments = {d.code: d for d in session.scalars(select(Department))}
    known = set(session.scalars(select(User.email)))
    password = hash_password(DEMO_PASSWORD)
    for email, name, roles, depts, locale in DEMO_USERS:
        if email in known:
            continue
        user = User(
            email=email, display_name=name, password_hash=password, locale=locale,
            email_confirmed_at=utcnow(), roles=[UserRole(role=r) for r in roles],
        )
        session.add(user)
        session.flush()
        for code in depts:
            session.execute(
                staff_department.insert().values(user_id=user.id, department_id=departments[code].id)
            )
        created += 1
    session.commit()
    from portal.deliberation.seed import seed as seed_halls
    from portal.feedback.seed import seed as seed_feedback
    from portal.literacy.seed import seed as seed_courses
    from portal.organizations.seed import seed as seed_organizations
    from portal.transparency.seed import seed as seed_disclosure

    return (created + seed_feedback(session) + seed_halls(session) + seed_disclosure(session)
            + seed_organizations(session) + seed_courses(session))
