"""Demo data for the request tracker: categories, the responsibility list, the 2026–2027
calendar and requests in every state, made through the services so their timelines are real."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.calendar import CalendarDay, set_day
from portal.core.models import User
from portal.responsibility.models import (
    Area,
    CategoryGroup,
    Department,
    ResponsibilityRule,
    ServiceCategory,
)


def names(en, zh_hans, zh_hant, es, ar, bo, ug):
    return {"en": en, "zh-Hans": zh_hans, "zh-Hant": zh_hant, "es": es, "ar": ar, "bo": bo, "ug": ug}


GROUPS = [
    ("streets", names("Streets and transport", "道路交通", "道路交通", "Calles y transporte", "الشوارع والنقل", "ལམ་དང་འགྲུལ་འདྲེན།", "يول ۋە قاتناش")),
    ("environment", names("Environment and cleanliness", "环境卫生", "環境衛生", "Medio ambiente y limpieza", "البيئة والنظافة", "ཁོར་ཡུག་དང་གཙང་སྦྲ།", "مۇھىت ۋە تازىلىق")),
    ("water", names("Water", "供水排水", "供水排水", "Agua", "المياه", "ཆུ།", "سۇ")),
    ("other", names("Something else", "其他", "其他", "Otros asuntos", "أمور أخرى", "གཞན།", "باشقا")),
]

SIZE_ATTRIBUTE = {
    "code": "size", "datatype": "singlevaluelist", "required": True, "order": 1,
    "description_i18n": names("How big is it?", "有多大？", "有多大？", "¿Qué tamaño tiene?", "ما حجمه؟", "ཆེ་ཆུང་ཇི་ཙམ་ཡོད།", "قانچىلىك چوڭ؟"),
    "values": [
        {"key": "small", "name_i18n": names("Smaller than a shoe", "比鞋小", "比鞋小", "Más pequeño que un zapato", "أصغر من حذاء", "ལྷམ་ལས་ཆུང་བ།", "ئاياغتىن كىچىك")},
        {"key": "medium", "name_i18n": names("Up to a metre", "一米以内", "一米以內", "Hasta un metro", "حتى متر", "སྨི་གང་ཡན།", "بىر مېتىرغىچە")},
        {"key": "large", "name_i18n": names("Larger than a metre", "超过一米", "超過一米", "Más de un metro", "أكبر من متر", "སྨི་གང་ལས་ཆེ་བ།", "بىر مېتىردىن چوڭ")},
    ],
}
SINCE_ATTRIBUTE = {
    "code": "since", "datatype": "string", "required": False, "order": 2,
    "description_i18n": names("Since when has it been like this?", "从什么时候开始的？", "從什麼時候開始的？", "¿Desde cuándo está así?", "منذ متى هو على هذه الحال؟", "དུས་ནམ་ནས་འདི་ལྟར་ཡིན།", "قاچاندىن باشلاپ شۇنداق؟"),
    "values": [],
}

# code, group, names, descriptions, keywords by language, attributes, ack hours, resolve days
CATEGORIES = [
    ("pothole", "streets", names("Pothole or damaged road", "道路坑洼或破损", "道路坑窪或破損", "Bache o calzada dañada", "حفرة أو طريق متضرر", "ལམ་ཁའི་དོང་ངམ་ལམ་ཉམས་པ།", "يولدىكى ئازگال ياكى بۇزۇلغان يول"),
     names("Holes, cracks or sunken patches in a road or cycle lane.", "道路或自行车道上的坑洞、裂缝或塌陷。", "道路或自行車道上的坑洞、裂縫或塌陷。", "Agujeros, grietas o hundimientos en la calzada o el carril bici.", "حفر أو تشققات أو هبوط في الطريق أو مسار الدراجات.", "ལམ་ངམ་རྐང་འཁོར་ལམ་ཐོག་གི་དོང་དང་གས་ཆག", "يول ياكى ۋېلىسىپىت يولىدىكى ئازگال، يېرىق ياكى ئولتۇرۇشۇش."),
     names("pothole hole road asphalt crack pavement cycle lane", "坑 坑洼 路面 道路 裂缝 塌陷", "坑 坑窪 路面 道路 裂縫 塌陷", "bache agujero calzada asfalto grieta carril bici", "حفرة طريق أسفلت شق رصيف", "ལམ་ཁ་ དོང་ ལམ་ ཉམས་པ་ གས་ཆག", "ئازگال يول ئاسفالت يېرىق"), [SIZE_ATTRIBUTE, SINCE_ATTRIBUTE], 8, 10),
    ("streetlight", "streets", names("Street light not working", "路灯不亮", "路燈不亮", "Farola apagada", "إنارة شارع معطلة", "ལམ་སྒྲོན་མི་འབར་བ།", "كوچا چىرىغى ئۆچۈپ قالدى"),
     names("A street light that is off, flickering or on during the day.", "路灯不亮、闪烁或白天亮着。", "路燈不亮、閃爍或白天亮著。", "Una farola apagada, que parpadea o encendida de día.", "مصباح شارع مطفأ أو يومض أو مضاء نهارًا.", "ལམ་སྒྲོན་མི་འབར་བའམ་འཁྱུག་པ།", "ئۆچكەن، لىپىلدايدىغان ياكى كۈندۈزى يېنىپ تۇرىدىغان كوچا چىرىغى."),
     names("street light lamp dark lighting", "路灯 照明 黑暗 灯泡", "路燈 照明 黑暗 燈泡", "farola luz alumbrado oscuro", "إنارة مصباح ضوء ظلام", "ལམ་སྒྲོན་ སྒྲོན་མེ་ འོད་ མུན་པ་", "چىراغ يورۇتۇش قاراڭغۇ"), [SINCE_ATTRIBUTE], 8, 5),
    ("litter", "environment", names("Litter or overflowing bins", "垃圾或垃圾桶满溢", "垃圾或垃圾桶滿溢", "Basura o contenedores llenos", "قمامة أو حاويات ممتلئة", "གད་སྙིགས་སམ་སྙིགས་སྒམ་ལུད་པ།", "ئەخلەت ياكى تولۇپ كەتكەن ئەخلەت ساندۇقى"),
     names("Rubbish in the street or a park, or bins that need emptying.", "街道或公园里的垃圾，或需要清空的垃圾桶。", "街道或公園裡的垃圾，或需要清空的垃圾桶。", "Basura en la calle o un parque, o contenedores por vaciar.", "قمامة في الشارع أو الحديقة، أو حاويات تحتاج إلى تفريغ.", "ལམ་དང་ལྡུམ་རའི་གད་སྙིགས།", "كوچا ياكى باغچىدىكى ئەخلەت ياكى بوشىتىشقا تېگىشلىك ساندۇق."),
     names("rubbish trash bin garbage waste", "垃圾 垃圾桶 废物 清理", "垃圾 垃圾桶 廢物 清理", "basura contenedor residuos papelera", "قمامة نفايات حاوية", "གད་སྙིགས་ སྙིགས་སྒམ་", "ئەخلەت ساندۇق"), [], 8, 3),
    ("noise", "environment", names("Noise", "噪音扰民", "噪音擾民", "Ruido", "ضوضاء", "སྒྲ་གདན།", "شاۋقۇن"),
     names("Construction, traffic or venue noise, especially at night.", "施工、交通或场所噪音，尤其是夜间。", "施工、交通或場所噪音，尤其是夜間。", "Ruido de obras, tráfico o locales, sobre todo de noche.", "ضوضاء البناء أو المرور أو الأماكن، خاصة ليلاً.", "བཟོ་སྐྲུན་དང་འགྲུལ་འཁོར་གྱི་སྒྲ།", "قۇرۇلۇش، قاتناش ياكى سورۇن شاۋقۇنى، بولۇپمۇ كېچىدە."),
     names("noise loud music construction night", "噪音 施工 吵闹 夜间", "噪音 施工 吵鬧 夜間", "ruido música obras noche", "ضوضاء ضجيج موسيقى بناء ليل", "སྒྲ་གདན་ ཅ་ཅོ་ མཚན་མོ་", "شاۋقۇن ئاۋاز قۇرۇلۇش كېچە"), [], 4, 5),
    ("water-leak", "water", names("Water leak or burst pipe", "漏水或爆管", "漏水或爆管", "Fuga de agua o tubería rota", "تسرب مياه أو أنبوب مكسور", "ཆུ་འཛག་པའམ་ཆུ་དོང་གས་པ།", "سۇ ئېقىش ياكى تۇرۇبا يېرىلىش"),
     names("Water coming up through the street or from a public pipe.", "街道冒水或公共管道漏水。", "街道冒水或公共管道漏水。", "Agua que sale por la calle o de una tubería pública.", "مياه تخرج من الشارع أو من أنبوب عام.", "ལམ་ནས་ཆུ་ཐོན་པ།", "كوچىدىن ياكى ئاممىۋى تۇرۇبىدىن سۇ چىقىش."),
     names("leak pipe flood burst water", "漏水 水管 爆管 积水", "漏水 水管 爆管 積水", "fuga tubería inundación agua", "تسرب أنبوب فيضان مياه", "ཆུ་འཛག་ ཆུ་དོང་ ཆུ་", "سۇ ئېقىش تۇرۇبا"), [], 2, 2),
    # Whatever fits nowhere else (graffiti, a fallen tree): the dispatch centre sends it on.
    ("other", "other", names("Something else, or not sure", "其他问题或不确定", "其他問題或不確定", "Otro asunto, o no estoy seguro", "أمر آخر، أو لست متأكدًا", "གཞན་པའམ་ངེས་མེད།", "باشقا ئىش ياكى ئېنىق ئەمەس"),
     names("Anything not listed, like graffiti or a fallen tree. The Citizen Service Dispatch Centre sends it to whoever handles it.", "未列出的问题，例如涂鸦或倒下的树木。市民服务派单中心会转给负责的部门。", "未列出的問題，例如塗鴉或倒下的樹木。市民服務派單中心會轉給負責的部門。", "Cualquier otra cosa, como pintadas o un árbol caído. El Centro de Despacho la envía a quien corresponda.", "أي أمر غير مدرج، مثل الكتابة على الجدران أو شجرة ساقطة. يرسله مركز توزيع خدمات المواطنين إلى الجهة المختصة.", "ཐོ་འགོད་མེད་པའི་དོན་དག་དཔེར་ན་གྱང་རིས་སམ་ལྗོན་ཤིང་འགྱེལ་བ། མི་དམངས་ཞབས་ཞུ་བགོ་འགྲེམ་ལྟེ་གནས་ཀྱིས་འགན་འཁུར་མཁན་ལ་སྐྱེལ།", "تىزىملىكتە يوق ئىشلار، مەسىلەن تام رەسىمى ياكى يىقىلغان دەرەخ. پۇقرالار مۇلازىمىتى تەقسىملەش مەركىزى مەسئۇل ئورۇنغا يوللايدۇ."),
     names("other not sure unsure graffiti tree fallen branch something else", "其他 不确定 涂鸦 树木 倒树 树枝", "其他 不確定 塗鴉 樹木 倒樹 樹枝", "otro otra seguro pintada grafiti árbol caído rama", "آخر أخرى متأكد كتابة جدران شجرة غصن", "གཞན་ ངེས་མེད་ གྱང་རིས་ ལྗོན་ཤིང་ ཤིང་སྡོང་", "باشقا ئېنىق تام رەسىمى دەرەخ شاخ"),
     [], 8, 10),
]

# category, area, lead department, co-handling departments
RULES = [
    ("pothole", "riverbend", "roads", []),
    ("pothole", "old-town", "old-town-office", ["roads"]),
    ("streetlight", "riverbend", "roads", []),
    ("litter", "riverbend", "sanitation", []),
    ("litter", "north-maple", "maple-committee", ["sanitation"]),
    ("noise", "riverbend", "sanitation", []),
    ("water-leak", "riverbend", "water", []),
    ("other", "riverbend", "dispatch", []),
]

HOLIDAYS = [
    (date(2026, 1, 1), False, names("New Year's Day", "元旦", "元旦", "Año Nuevo", "رأس السنة", "ལོ་གསར།", "يېڭى يىل")),
    (date(2026, 5, 1), False, names("Labour Day", "劳动节", "勞動節", "Día del Trabajo", "عيد العمال", "ངལ་རྩོལ་དུས་ཆེན།", "ئەمگەكچىلەر بايرىمى")),
    (date(2026, 10, 1), False, names("City Day", "城市日", "城市日", "Día de la Ciudad", "يوم المدينة", "གྲོང་ཁྱེར་ཉིན་མོ།", "شەھەر كۈنى")),
    (date(2026, 10, 10), True, names("Working Saturday (bridge day swap)", "调休上班（周六）", "調休上班（週六）", "Sábado laborable (puente)", "سبت عمل (تعويض)", "གཟའ་སྤེན་པའི་ལས་ཉིན།", "ئىش كۈنى شەنبە")),
    (date(2026, 12, 25), False, names("Winter holiday", "冬季假日", "冬季假日", "Fiesta de invierno", "عطلة الشتاء", "དགུན་ཁའི་གསེང་ཉིན།", "قىش دەم ئېلىش كۈنى")),
    (date(2027, 1, 1), False, names("New Year's Day", "元旦", "元旦", "Año Nuevo", "رأس السنة", "ལོ་གསར།", "يېڭى يىل")),
    (date(2027, 5, 1), False, names("Labour Day", "劳动节", "勞動節", "Día del Trabajo", "عيد العمال", "ངལ་རྩོལ་དུས་ཆེན།", "ئەمگەكچىلەر بايرىمى")),
]

SUPERVISORS = {"roads": "roads@riverbend.example.org", "water": "water@riverbend.example.org",
               "dispatch": "dispatcher@riverbend.example.org", "city": "admin@riverbend.example.org",
               "old-town-office": "oldtown@riverbend.example.org"}


def seed_reference(session: Session) -> int:
    created = 0
    groups = {g.code: g for g in session.scalars(select(CategoryGroup))}
    for position, (code, i18n) in enumerate(GROUPS):
        if code not in groups:
            groups[code] = CategoryGroup(code=code, name_i18n=i18n, position=position)
            session.add(groups[code])
            created += 1
    cats = {c.service_code: c for c in session.scalars(select(ServiceCategory))}
    for code, group, i18n, desc, keywords, attributes, ack, resolve in CATEGORIES:
        if code not in cats:
            cats[code] = ServiceCategory(service_code=code, group=groups[group], name_i18n=i18n,
                                         description_i18n=desc, keywords_i18n=keywords,
                                         attributes=attributes, ack_hours=ack, resolve_days=resolve)
            session.add(cats[code])
            created += 1
    session.flush()
    first_time = session.scalar(select(ResponsibilityRule.id).limit(1)) is None
    # Rules for the categories that have none yet (a category added to the demo data since).
    ruled = set(session.scalars(select(ResponsibilityRule.category_id)))
    areas = {a.code: a for a in session.scalars(select(Area))}
    departments = {d.code: d for d in session.scalars(select(Department))}
    for cat, area, lead, co in RULES:
        if cats[cat].id not in ruled:
            session.add(ResponsibilityRule(
                category=cats[cat], area=areas[area], lead_department=departments[lead],
                co_departments=[departments[c] for c in co], effective_from=date(2026, 1, 1),
                note="Demo responsibility list"))
            created += 1
    if first_time:
        users = {u.email: u for u in session.scalars(select(User))}
        for dept, email in SUPERVISORS.items():
            departments[dept].supervisor_id = users[email].id
    if session.scalar(select(CalendarDay.day).limit(1)) is None:
        for day, working, i18n in HOLIDAYS:
            set_day(session, day, working, i18n)
            created += 1
    session.commit()
    return created


def seed_requests(session: Session) -> int:
    """A dozen requests in every state, made by the demo residents and staff."""
    from portal.feedback import services
    from portal.feedback.models import Request

    if session.scalar(select(Request.id).limit(1)) is not None:
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    areas = {a.code: a for a in session.scalars(select(Area))}
    cats = {c.service_code: c for c in session.scalars(select(ServiceCategory))}
    resident = users["resident@riverbend.example.org"]
    zh = users["resident.zh@riverbend.example.org"]
    ug = users["resident.ug@riverbend.example.org"]
    roads = users["roads@riverbend.example.org"]
    water = users["water@riverbend.example.org"]
    dispatcher = users["dispatcher@riverbend.example.org"]
    admin = users["admin@riverbend.example.org"]

    # Residents write in their own language; where a problem is, they give as the street
    # signs write it, so English pages show no Chinese addresses (their titles and
    # descriptions stay as written, marked with their language).
    # A few give the point too (latitude, longitude), inside the area's demo boundary.
    def submit(user, cat, area, title, text, where, locale="en", answers=None, show=False,
               point=(None, None)):
        return services.submit(session, user, services.Submission(
            category=cats[cat], area=areas[area], title=title, description=text,
            location_text=where, answers=answers or {}, show_name=show, locale=locale,
            latitude=point[0], longitude=point[1]))

    a = submit(resident, "pothole", "north-hill", "Deep pothole outside the school",
               "A deep pothole has opened in front of the school gate. Children step around it into the road.",
               "12 Hillside Road, by the school gate", answers={"size": "medium", "since": "two weeks"}, show=True,
               point=(47.0402, 8.0551))
    services.acknowledge(session, roads, a, "Thank you, we will inspect it this week.")
    services.answer(session, roads, a, "The pothole was filled and the surface sealed on Tuesday.")
    services.respond(session, resident, a, True, 5, "Fixed quickly, thank you!")

    b = submit(zh, "pothole", "old-market", "市场路面塌陷", "市场入口处路面塌陷，雨天积水很深，行人很难通过。",
               "opposite 8 Market Street", locale="zh-Hant", answers={"size": "large"},
               point=(47.0113, 8.0102))
    services.acknowledge(session, users["admin@riverbend.example.org"], b)
    services.answer(session, admin, b, "路面已经临时修补，下月将全面重铺。")
    services.respond(session, zh, b, False, 2, "只是临时修补，下雨又塌了。")

    c = submit(ug, "litter", "north-maple", "ئەخلەت ساندۇقى تولۇپ كەتتى",
               "مەھەللە باغچىسىدىكى ئەخلەت ساندۇقى ئۈچ كۈندىن بېرى تۆكۈلمىدى.", "ئەرەن باغچىسى، شىمالىي دەرۋازا", locale="ug")
    services.acknowledge(session, admin, c)

    d = submit(resident, "water-leak", "harbour-quay", "Water bubbling up through the pavement",
               "Clean water has been bubbling up through the pavement since this morning and is running into the road.",
               "East Quay, opposite the ferry ticket office", point=(47.0152, 8.0803))
    services.start_work(session, water, d, "A crew is on the way.")
    services.ask_for_information(session, water, d, "Is the water still running now, or has it stopped?")

    e = submit(resident, "streetlight", "old-bridge", "Three street lights off on the bridge",
               "The three lights on the west side of the stone bridge have been off for a week; it is very dark.",
               "Stone Bridge, west side", point=(47.0281, 8.0236))
    services.return_to_dispatcher(session, roads, e, "The bridge lights belong to the heritage trust, not the roads bureau.")
    services.reassign(session, dispatcher, e, session.scalar(select(Department).where(Department.code == "old-town-office")),
                      "The Old Town office manages the heritage lighting contract.")

    f = submit(zh, "noise", "old-market", "夜间施工噪音", "每天晚上十一点以后还有施工，噪音很大，影响休息。", "Market Square, building site on the east side", locale="zh-Hans")
    services.acknowledge(session, admin, f, "已转告施工单位。")
    services.extend(session, admin, f, 5, "需要与施工单位和环保部门共同核查夜间施工许可。")

    g = submit(resident, "litter", "old-market", "Bins overflowing after the market",
               "After the Saturday market the bins along the square overflow and rubbish blows around.",
               "Market Square, north side", point=(47.0204, 8.0118))
    h = submit(users["resident.bo@riverbend.example.org"], "litter", "old-market", "ཚོང་ར་ཕྱོགས་ཀྱི་གད་སྙིགས།",
               "ཚོང་རའི་རྗེས་སུ་གད་སྙིགས་མང་པོ་ཡོད།", "ཚོང་ར་བྱང་ཕྱོགས།", locale="bo")
    services.close(session, admin, h, "closed_duplicate", "Already reported; follow the original request.", duplicate_of=g)
    services.follow(session, ug, g)

    i = submit(resident, "noise", "north-maple", "Dog barking all night",
               "A neighbour's dog barks all night long.", "Maple Court")
    services.close(session, admin, i, "closed_not_actionable",
                   "Noise from pets is a matter between neighbours; the community mediation service can help.")

    j = submit(resident, "streetlight", "north-hill", "Light flickering at the bus stop",
               "The light at the Hillside bus stop flickers on and off all evening.", "Hillside bus stop")
    services.withdraw(session, resident, j, "It was repaired before anyone came.")

    # Waiting for the roads bureau: what a newcomer logged in as roads@ finds in the queue.
    submit(zh, "pothole", "harbour-quay", "碼頭路口坑洞", "碼頭東側路口有一個大坑洞，晚上騎車很危險。",
           "East Quay, the crossing by the ferry ticket office", locale="zh-Hant", answers={"size": "large"})
    session.commit()
    return 11


def seed(session: Session) -> int:
    return seed_reference(session) + seed_requests(session)
