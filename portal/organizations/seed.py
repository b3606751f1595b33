"""The demo city's organizations: a digital-skills NGO (its services in English, Simplified
Chinese and Uyghur; Olga Organizer, org@riverbend.example.org, is its administrator), an
elderly-care association, a property manager (an enterprise, co-handler of the demo rule for
litter on East Quay), all verified, and one application waiting for verification.
Idempotent: an organization whose address exists is left as it is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.models import User, utcnow
from portal.organizations import services as svc
from portal.organizations.models import Organization, OrganizationService
from portal.responsibility.models import Area, Department, ResponsibilityRule, ServiceCategory

PEOPLE = [  # the organizations' own administrators besides Olga
    ("silver@riverbend.example.org", "Sana Silver", "es"),
    ("homes@riverbend.example.org", "Hugo Homes", "en"),
    ("cafe@riverbend.example.org", "Layla Café", "ar"),
]

# slug, applicant, kind, service kinds, areas, languages, names, descriptions, email, phone,
# website, address, verified, services [(kind, area, languages, {field: {locale: text}})]
ORGANIZATIONS = [
    ("digital-bridges", "org@riverbend.example.org", "social_organization",
     ["digital_skills", "language_help"], ["old-town", "harbour"], ["en", "zh-Hans", "ug"],
     {"en": "Digital Bridges", "zh-Hans": "数字桥梁", "ug": "رەقەملىك كۆۋرۈك"},
     {"en": "Free computer and phone classes for beginners, older residents and newcomers.",
      "zh-Hans": "为初学者、老年居民和新居民提供免费的电脑和手机课程。",
      "ug": "يېڭى باشلىغۇچىلار، ياشانغانلار ۋە يېڭى كەلگەنلەر ئۈچۈن ھەقسىز كومپيۇتېر ۋە تېلېفون دەرسلىرى."},
     "hello@digitalbridges.example.org", "+1 555 0400", "https://digitalbridges.example.org",
     "Stone Bridge Library, 2 Bridge Road", True,
     [("digital_skills", "old-bridge", ["en", "zh-Hans", "ug"], {
         "what": {"en": "Computer classes for beginners: the mouse, the keyboard, bigger text, email.",
                  "zh-Hans": "电脑入门课：鼠标、键盘、放大文字、电子邮件。",
                  "ug": "يېڭى باشلىغۇچىلار ئۈچۈن كومپيۇتېر دەرسى: مائۇس، كۇنۇپكا تاختىسى، چوڭ خەت، ئېلخەت."},
         "for_whom": {"en": "Anyone who has never used a computer.", "zh-Hans": "从未用过电脑的任何人。",
                      "ug": "كومپيۇتېر ئىشلىتىپ باقمىغان ھەر قانداق كىشى."},
         "where": {"en": "Stone Bridge Library, room 2.", "zh-Hans": "石桥图书馆二号室。",
                   "ug": "تاش كۆۋرۈك كۇتۇپخانىسى، 2-ئۆي."},
         "when": {"en": "Tuesdays and Thursdays, 10:00 to 12:00.", "zh-Hans": "每周二、周四 10:00–12:00。",
                  "ug": "سەيشەنبە ۋە پەيشەنبە، 10:00 دىن 12:00 گىچە."},
         "how": {"en": "Come along, or call +1 555 0400.", "zh-Hans": "直接来，或致电 +1 555 0400。",
                 "ug": "بىۋاسىتە كېلىڭ ياكى +1 555 0400 غا تېلېفون قىلىڭ."}}),
      ("language_help", "harbour", ["en", "zh-Hans", "ug"], {
          "what": {"en": "Help filling in forms on the portal, in your language.",
                   "zh-Hans": "用您的语言帮助您填写门户网站上的表格。",
                   "ug": "پورتالدىكى جەدۋەللەرنى ئۆز تىلىڭىزدا تولدۇرۇشقا ياردەم."},
          "how": {"en": "Write to hello@digitalbridges.example.org.",
                  "zh-Hans": "写信至 hello@digitalbridges.example.org。",
                  "ug": "hello@digitalbridges.example.org غا خەت يېزىڭ."}})]),
    ("silver-years", "silver@riverbend.example.org", "social_organization", ["elderly_care", "health"],
     ["north"], ["en", "es"],
     {"en": "Silver Years Association", "es": "Asociación Años de Plata"},
     {"en": "Home visits, meals and company for older residents of the North District.",
      "es": "Visitas a domicilio, comidas y compañía para las personas mayores del Distrito Norte."},
     "info@silveryears.example.org", "+1 555 0410", None, "Maple Court community hall", True,
     [("elderly_care", "north", ["en", "es"], {
         "what": {"en": "A volunteer visits you at home once a week.",
                  "es": "Un voluntario le visita en casa una vez por semana."},
         "for_whom": {"en": "Residents over 70 who live alone.", "es": "Mayores de 70 años que viven solos."},
         "how": {"en": "Call +1 555 0410 on weekdays.", "es": "Llame al +1 555 0410 de lunes a viernes."}})]),
    ("riverside-homes", "homes@riverbend.example.org", "enterprise", ["property_management", "housing"],
     ["harbour"], ["en"], {"en": "Riverside Homes Property Management"},
     {"en": "Manages the housing blocks of East Quay: repairs, lifts, stairwells and courtyards."},
     "service@riversidehomes.example.org", "+1 555 0420", "https://riversidehomes.example.org",
     "East Quay 12", True,
     [("property_management", "harbour-quay", ["en"], {
         "what": {"en": "Repairs in the blocks and their courtyards."},
         "how": {"en": "Raise a request on the portal, or call +1 555 0420."}})]),
    ("harbour-language-cafe", "cafe@riverbend.example.org", "social_organization", ["language_help"],
     ["harbour"], ["en", "ar"], {"en": "Harbour Language Café", "ar": "مقهى الميناء للغات"},
     {"en": "Conversation evenings for newcomers learning the city's languages.",
      "ar": "أمسيات محادثة للقادمين الجدد الذين يتعلمون لغات المدينة."},
     "cafe@harbourlanguage.example.org", None, None, None, False, []),
]


def seed(session: Session) -> int:
    from portal.core.passwords import hash_password
    from portal.seed import DEMO_PASSWORD

    have = set(session.scalars(select(Organization.slug)))
    if all(row[0] in have for row in ORGANIZATIONS):
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    password = None
    for email, name, locale in PEOPLE:
        if email not in users:
            password = password or hash_password(DEMO_PASSWORD)
            users[email] = User(email=email, display_name=name, password_hash=password, locale=locale,
                                email_confirmed_at=utcnow())
            session.add(users[email])
    session.flush()
    admin = users.get("admin@riverbend.example.org")
    areas = {a.code: a for a in session.scalars(select(Area))}
    created = 0
    for (slug, applicant, kind, kinds, area_codes, languages, names, descriptions, email, phone,
         website, address, verified, services) in ORGANIZATIONS:
        if slug in have or applicant not in users or admin is None:
            continue
        org = svc.register(session, users[applicant], svc.OrganizationData(
            name=names["en"], description=descriptions["en"], source_locale="en", kind=kind,
            service_kinds=kinds, area_ids=[areas[c].id for c in area_codes if c in areas],
            languages=languages, email=email, phone=phone, website=website, address=address,
            slug=slug))
        org.name_i18n, org.description_i18n = dict(names), dict(descriptions)
        if verified:
            svc.verify(session, admin, org.id)
        for service_kind, area, service_languages, texts in services:
            session.add(OrganizationService(
                organization_id=org.id, kind=service_kind,
                area_id=areas[area].id if area in areas else None, languages=service_languages,
                source_locale="en", **{f"{k}_i18n": v for k, v in texts.items()}))
        session.flush()
        svc._index(session, org)
        session.commit()
        created += 1
    created += _co_handling_rule(session)
    return created


def _co_handling_rule(session: Session) -> int:
    """Litter on East Quay: the sanitation bureau leads, the property manager co-handles."""
    homes = session.scalar(select(Organization).where(Organization.slug == "riverside-homes"))
    litter = session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == "litter"))
    quay = session.scalar(select(Area).where(Area.code == "harbour-quay"))
    sanitation = session.scalar(select(Department).where(Department.code == "sanitation"))
    if None in (homes, litter, quay, sanitation) or homes.party is None:
        return 0
    if session.scalar(select(ResponsibilityRule.id).where(
            ResponsibilityRule.category_id == litter.id, ResponsibilityRule.area_id == quay.id)):
        return 0
    session.add(ResponsibilityRule(category=litter, area=quay, lead_department=sanitation,
                                   co_departments=[homes.party], effective_from=date(2026, 1, 1),
                                   note="Demo responsibility list: the blocks' property manager helps"))
    session.commit()
    return 1
