"""The starter curriculum: six short courses for people using the portal for the first time.

Written in plain language (see docs/literacy.md, "The starter curriculum"): short sentences,
one idea a sentence, everyday words, "you", and the portal's buttons and pages by the names
they carry in the English templates. Every text is a ``_l()`` string, translated through the
normal catalogs; ``portal.literacy.seed.load_curriculum`` turns ``COURSES`` into rows, filling
each ``*_i18n`` dict in every locale. Images are hand-drawn SVGs in ``static/literacy/``.
Audio is left out (``None``): the pages support audio with a transcript, but recordings need
native speakers of every language.

The format, per course: slug, title, summary, level, minutes, competences (DigComp 2.2
codes), pass_mark, lessons; per lesson: slug, title, steps; per step: kind (text, practice,
quiz), title, body, and optionally image + image_alt, audio + transcript, practice (request,
comment, disclosure) or questions (text, multiple, explanation, choices of (text, right)).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def _text(title, body, image=None, image_alt=None) -> dict:
    step = {"kind": "text", "title": title, "body": body, "audio": None, "transcript": None}
    if image:
        step.update(image=f"static:literacy/{image}", image_alt=image_alt)
    return step


def _practice(title, body, practice: str) -> dict:
    return {"kind": "practice", "title": title, "body": body, "practice": practice}


def _quiz(title, body, questions: list[dict]) -> dict:
    return {"kind": "quiz", "title": title, "body": body, "questions": questions}


def _question(text, explanation, choices, multiple=False) -> dict:
    return {"text": text, "multiple": multiple, "explanation": explanation, "choices": choices}


QUIZ_BODY = _l("Answer the questions. There is no time limit. You can try again as often as you like.")


# --- (a) making text bigger and using the keyboard ----------------------------------------

BIGGER_TEXT_AND_KEYBOARD = {
    "slug": "bigger-text-and-keyboard",
    "title": _l("Bigger text and the keyboard"),
    "summary": _l("Make the text bigger so you can read it well. Move around the portal with "
                  "the keyboard, without a mouse."),
    "level": "beginner", "minutes": 20, "competences": ["5.2", "5.1"], "pass_mark": 70,
    "lessons": [
        {"slug": "make-text-bigger", "title": _l("Make the text bigger"), "steps": [
            _text(_l("Make the page bigger"),
                  _l("Is the text too small? You can make it bigger.\n"
                     "Hold down the Ctrl key. Then press the + key. Let go.\n"
                     "On a Mac computer, hold down the Cmd key instead of Ctrl.\n"
                     "Each time you press +, the page gets bigger."),
                  "zoom-keys.svg",
                  _l("A keyboard. The Ctrl key and the + key are coloured.")),
            _text(_l("Make it smaller again"),
                  _l("Hold down Ctrl and press the - key. The page gets smaller.\n"
                     "Hold down Ctrl and press 0 (zero). The page goes back to its normal size.\n"
                     "The portal still works when the page is very big. The menus move one "
                     "under the other.")),
            _text(_l("The Larger text button"),
                  _l("At the bottom of every page there is a button: Larger text.\n"
                     "Choose it. The text gets bigger on every page of the portal.\n"
                     "Choose it again to go back to normal text.\n"
                     "With an account, you can also tick Use larger text in Your account.")),
        ]},
        {"slug": "use-the-keyboard", "title": _l("Use the keyboard"), "steps": [
            _text(_l("Move with the Tab key"),
                  _l("You do not need a mouse.\n"
                     "Press the Tab key. You go to the next link or button.\n"
                     "Hold down Shift and press Tab. You go back.\n"
                     "A thick outline shows where you are. This outline is called the focus."),
                  "tab-focus.svg",
                  _l("The Tab key, with an arrow. Next to it, a button with a thick outline "
                     "around it.")),
            _text(_l("Use a link or a button"),
                  _l("When a link or a button has the outline, press Enter. This is like a "
                     "click.\n"
                     "To tick a box, press Space.\n"
                     "In a list of answers, the arrow keys move from one answer to the next.")),
            _text(_l("Skip to main content"),
                  _l("When a page opens, press Tab once. A link appears at the top: Skip to "
                     "main content.\n"
                     "Press Enter. You jump over the menus, straight to the page itself.\n"
                     "This saves you many presses of Tab on every page.")),
            _practice(_l("Try a form with the keyboard"),
                      _l("Open the practice form. Use only the keyboard.\n"
                         "Press Tab until the comment box has the outline. Type a few words.\n"
                         "Press Tab to go to the button Publish your comment. Press Enter.\n"
                         "Nothing is sent: it is only practice."),
                      "comment"),
            _quiz(_l("Check what you learned"), QUIZ_BODY, [
                _question(_l("How do you make the page bigger?"),
                          _l("Hold down Ctrl and press +. On a Mac, use Cmd and +. Ctrl and - "
                             "make it smaller again, and Ctrl and 0 bring back the normal size."),
                          [(_l("Hold down Ctrl and press +"), True),
                           (_l("Hold down Shift and press Tab"), False),
                           (_l("Press Enter"), False)]),
                _question(_l("Which keys take you back to the link or button before?"),
                          _l("Tab goes forward. Shift and Tab together go back."),
                          [(_l("Shift and Tab"), True),
                           (_l("Tab alone"), False),
                           (_l("Ctrl and 0"), False)]),
                _question(_l("Which of these are true? Choose all the true answers."),
                          _l("The outline, the focus, shows where you are. Enter uses a link "
                             "or a button. Everything in the portal works with the keyboard "
                             "alone: you do not need a mouse."),
                          [(_l("The thick outline shows where you are on the page"), True),
                           (_l("Enter uses a link or a button"), True),
                           (_l("You need a mouse to use the portal"), False)],
                          multiple=True),
                _question(_l("What does the link Skip to main content do?"),
                          _l("It jumps over the menus at the top, straight to the page itself. "
                             "Press Tab once when a page opens to see it."),
                          [(_l("It jumps over the menus to the page itself"), True),
                           (_l("It closes the page"), False),
                           (_l("It deletes what you typed"), False)]),
            ]),
        ]},
    ],
}


# --- (b) creating an account and a safe password ------------------------------------------

ACCOUNT_AND_PASSWORD = {
    "slug": "account-and-password",
    "title": _l("Your account and a safe password"),
    "summary": _l("Create your account on the portal, confirm your email address, and choose a "
                  "password that keeps your account safe."),
    "level": "beginner", "minutes": 20, "competences": ["2.6", "4.1", "4.2"], "pass_mark": 70,
    "lessons": [
        {"slug": "create-an-account", "title": _l("Create an account"), "steps": [
            _text(_l("Why you need an account"),
                  _l("You can read most of the portal without an account.\n"
                     "With an account, you can raise requests and follow them. You can also "
                     "take part in the halls of your community.\n"
                     "To start, choose Create an account at the top of any page.")),
            _text(_l("Fill in the form"),
                  _l("The form asks for four things.\n"
                     "Display name: the name others see next to what you write. It can be a "
                     "nickname.\n"
                     "Email address: the portal sends you a link there.\n"
                     "Password and Confirm password: type the same password two times.\n"
                     "Then choose Create account.")),
            _text(_l("Confirm your email address"),
                  _l("The portal sends you an email. Its subject is Confirm your email "
                     "address.\n"
                     "Open it. Follow the link inside. The link works for 7 days.\n"
                     "No email after a few minutes? Look in your spam folder.")),
        ]},
        {"slug": "a-safe-password", "title": _l("A safe password"), "steps": [
            _text(_l("Long is strong"),
                  _l("Your password needs at least 10 characters. Longer is safer.\n"
                     "An easy way: take three or four words that do not belong together. For "
                     "example: kettle river purple moon. This is called a passphrase.\n"
                     "Do not use your name, your birthday, or 123456."),
                  "password-strength.svg",
                  _l("A password box with dots, and a bar under it. The bar is full and "
                     "green: the password is strong.")),
            _text(_l("Keep your password secret"),
                  _l("Never tell anyone your password. Not a friend. Not the staff of the "
                     "portal.\n"
                     "The portal never asks for your password by email or by phone.\n"
                     "Use a different password for each website. If one website is broken "
                     "into, your other accounts stay safe.")),
            _text(_l("A password manager"),
                  _l("A password manager is a program that remembers your passwords for you.\n"
                     "It keeps them locked. You only need to remember one strong password.\n"
                     "Many phones and web browsers have one already. It can also make a strong "
                     "password for you.\n"
                     "If you write passwords on paper, keep the paper safe at home.")),
            _quiz(_l("Check what you learned"), QUIZ_BODY, [
                _question(_l("Which password is the strongest?"),
                          _l("Four words that do not belong together make a long password that "
                             "is hard to guess and easy to remember."),
                          [(_l("kettle river purple moon"), True),
                           (_l("123456"), False),
                           (_l("Your first name"), False)]),
                _question(_l("Someone on the phone says they work for the portal. They ask for "
                             "your password. What do you do?"),
                          _l("The portal never asks for your password, by email or by phone. "
                             "Do not tell it to anyone. Hang up."),
                          [(_l("Do not tell them, and hang up"), True),
                           (_l("Tell them, because they work for the portal"), False),
                           (_l("Send it to them by email instead"), False)]),
                _question(_l("What is true about a password manager? Choose all the true "
                             "answers."),
                          _l("A password manager remembers your passwords and keeps them "
                             "locked. It can make strong passwords. You still keep its own "
                             "password secret."),
                          [(_l("It remembers your passwords for you"), True),
                           (_l("It can make a strong password for you"), True),
                           (_l("It shares your passwords with your friends"), False)],
                          multiple=True),
                _question(_l("After you create your account, what must you do?"),
                          _l("The portal sends you an email. Follow its link to confirm your "
                             "email address. The link works for 7 days."),
                          [(_l("Follow the link in the email Confirm your email address"), True),
                           (_l("Nothing: the account works at once"), False),
                           (_l("Phone the city hall"), False)]),
            ]),
        ]},
    ],
}


# --- (c) recognising scams and protecting personal data ------------------------------------

SCAMS_AND_PERSONAL_DATA = {
    "slug": "scams-and-personal-data",
    "title": _l("Scams and your personal data"),
    "summary": _l("Recognise a scam message. Check that you are on the real portal. Learn what "
                  "others can see about you, and what stays private."),
    "level": "beginner", "minutes": 25, "competences": ["4.2", "4.1", "1.2"], "pass_mark": 70,
    "lessons": [
        {"slug": "spot-a-scam", "title": _l("Spot a scam"), "steps": [
            _text(_l("The portal never asks for your password"),
                  _l("Some messages pretend to come from the portal, or from your bank. They "
                     "ask for your password, or for money.\n"
                     "The portal never asks for your password by email, by text message or by "
                     "phone.\n"
                     "If a message asks for it, do not answer. Delete it.")),
            _text(_l("Check the address bar"),
                  _l("The address bar is at the top of the web browser. It shows the address "
                     "of the page.\n"
                     "Before you log in, look at it. The address starts with https:// and "
                     "there is a padlock.\n"
                     "Read the name of the website letter by letter. Scammers use names that "
                     "look almost the same."),
                  "address-bar.svg",
                  _l("The top of a web browser. In the address bar, a closed padlock comes "
                     "before the address.")),
            _text(_l("Signs of a scam"),
                  _l("Be careful when a message:\n"
                     "rushes you, like “act now or you lose your account”;\n"
                     "offers you money or a prize;\n"
                     "has a link to a strange address;\n"
                     "asks for your personal details.\n"
                     "Do not follow the link. Open the portal yourself, type its address, and "
                     "log in there.")),
        ]},
        {"slug": "what-others-see", "title": _l("What others can see about you"), "steps": [
            _text(_l("What the public sees about a request"),
                  _l("Requests are public, so others can see the problem too. But they do not "
                     "see who you are.\n"
                     "Others see “A resident” instead of your name, unless you choose to "
                     "show it.\n"
                     "Your email address and phone number are never shown.\n"
                     "House numbers are hidden, like “## Elm St”. A point on the map is not "
                     "exact: it is shown only to about 100 metres.")),
            _practice(_l("Try it: your name stays private"),
                      _l("Open the practice request form. Near the end, find the box Show my "
                         "name publicly with this request.\n"
                         "If you leave it empty, the public sees “A resident”.\n"
                         "Nothing you type in the practice form is sent."),
                      "request"),
            _text(_l("Remove my details"),
                  _l("When your request is closed, you can take your details off it.\n"
                     "Open the request. Choose Remove my name and contact details.\n"
                     "Your name, email address, phone number and house number are removed. "
                     "The request itself stays public.")),
            _quiz(_l("Check what you learned"), QUIZ_BODY, [
                _question(_l("You get an email that asks for your portal password. What do you "
                             "do?"),
                          _l("The portal never asks for your password by email. The email is a "
                             "scam: do not answer, and delete it."),
                          [(_l("Do not answer, and delete it"), True),
                           (_l("Answer with your password"), False),
                           (_l("Follow the link and type your password"), False)]),
                _question(_l("What do you check in the address bar before you log in? Choose "
                             "all the right answers."),
                          _l("The address starts with https:// and shows a padlock, and the "
                             "name of the website is exactly right, letter by letter."),
                          [(_l("The address starts with https://"), True),
                           (_l("The name of the website is spelt exactly right"), True),
                           (_l("The page has many colours"), False)],
                          multiple=True),
                _question(_l("What does the public see about your request? Choose all the "
                             "right answers."),
                          _l("The public sees the problem, the street without the house number, "
                             "and “A resident” instead of your name. Your email address and "
                             "phone number are never shown."),
                          [(_l("The problem you described"), True),
                           (_l("“A resident” instead of your name"), True),
                           (_l("Your phone number"), False),
                           (_l("Your email address"), False)],
                          multiple=True),
                _question(_l("Your request is closed. How do you take your details off it?"),
                          _l("On the request's page, choose Remove my name and contact details. "
                             "The request stays public, without them."),
                          [(_l("Choose Remove my name and contact details"), True),
                           (_l("Raise a new request"), False),
                           (_l("You cannot"), False)]),
            ]),
        ]},
    ],
}


# --- (d) raising a request and following it ------------------------------------------------

RAISE_AND_FOLLOW_A_REQUEST = {
    "slug": "raise-and-follow-a-request",
    "title": _l("Raise a request and follow it"),
    "summary": _l("Tell the city about a problem in your street. Keep the tracking code, "
                  "follow what the department does, and say if it is fixed."),
    "level": "beginner", "minutes": 30, "competences": ["2.3", "2.1"], "pass_mark": 70,
    "lessons": [
        {"slug": "raise-a-request", "title": _l("Raise a request"), "steps": [
            _text(_l("What a request is"),
                  _l("Is there a problem in your street? A hole in the road, a broken street "
                     "light, rubbish, a leak?\n"
                     "Tell the city with a request. It goes to the department responsible. You "
                     "can follow every step.\n"
                     "Choose Raise a request in the menu at the top.")),
            _text(_l("Choose the category"),
                  _l("First the portal asks: What is the problem about?\n"
                     "Type a word in Search by words, like “light” or “rubbish”. Or look "
                     "through the list.\n"
                     "Choose the category that fits best. Then choose Continue.")),
            _text(_l("Say what is wrong, and where"),
                  _l("Describe the problem: what is wrong, and since when.\n"
                     "Where is it? Type an address, or describe the place, like “outside the "
                     "library”. You do not need a map.\n"
                     "Choose the Area: your district or community. Not sure? Choose the line "
                     "that starts with “Anywhere in”.")),
            _practice(_l("Try it: raise a practice request"),
                      _l("Open the practice form. Choose a category. Describe a problem and "
                         "where it is. Choose an area.\n"
                         "If something is missing, the form tells you, next to the box.\n"
                         "Nothing is sent: it is only practice."),
                      "request"),
            _text(_l("Send it and keep the tracking code"),
                  _l("You can add photos. Then you check everything, and send it.\n"
                     "The portal gives you a tracking code, like R-2026-000042. Write it down, "
                     "or keep the email.\n"
                     "Without an account, the portal first emails you a link. Follow it to "
                     "confirm the request.")),
        ]},
        {"slug": "follow-your-request", "title": _l("Follow your request"), "steps": [
            _text(_l("Find your request"),
                  _l("On the home page, type your tracking code in the box Find a request by "
                     "its tracking code.\n"
                     "With an account, choose Your requests in the menu. You see all of them.\n"
                     "Choose Follow this request to get a message at every change.")),
            _text(_l("Read the timeline"),
                  _l("The Timeline shows every step. When you sent it. Which department took "
                     "it. What they did.\n"
                     "The department must first say it has the request. Then it must answer. "
                     "The Deadlines show by when.\n"
                     "Does the department need more information? You see it there. Until you "
                     "reply, its time to answer is stopped."),
                  "request-timeline.svg",
                  _l("A line with four dots, from the first step to the last. The first three "
                     "dots have a tick. The last dot is empty.")),
            _text(_l("Say whether it is fixed"),
                  _l("When the department answers, choose Tell us whether it is resolved.\n"
                     "There are two questions. Was the problem resolved? And how satisfied are "
                     "you, from 1 to 5?\n"
                     "If you answer No, the request opens again. It goes back to the "
                     "department first in line.")),
            _quiz(_l("Check what you learned"), QUIZ_BODY, [
                _question(_l("Where do you start a request?"),
                          _l("Choose Raise a request in the menu at the top of every page."),
                          [(_l("Raise a request, in the menu"), True),
                           (_l("Your account"), False),
                           (_l("Halls"), False)]),
                _question(_l("What is the tracking code for?"),
                          _l("With the tracking code, like R-2026-000042, you find your "
                             "request again, or ask about it by phone."),
                          [(_l("To find your request again"), True),
                           (_l("It is your password"), False),
                           (_l("To pay for the request"), False)]),
                _question(_l("What does the request ask you? Choose all the right answers."),
                          _l("It asks what the problem is about (the category), what is wrong, "
                             "where it is, and the area. It never asks for your password."),
                          [(_l("What the problem is about"), True),
                           (_l("Where it is"), True),
                           (_l("Your password"), False)],
                          multiple=True),
                _question(_l("The department answered, but the problem is not fixed. What do "
                             "you do?"),
                          _l("Choose Tell us whether it is resolved and answer No. The request "
                             "opens again and goes back to the department."),
                          [(_l("Answer No to “Was the problem resolved?”"), True),
                           (_l("Nothing"), False),
                           (_l("Raise the same request again"), False)]),
            ]),
        ]},
    ],
}


# --- (e) taking part in a hall ---------------------------------------------------------------

TAKE_PART_IN_A_HALL = {
    "slug": "take-part-in-a-hall",
    "title": _l("Take part in a hall"),
    "summary": _l("Join the hall of your community. Read its rules, comment kindly, support "
                  "proposals, come to meetings and vote."),
    "level": "beginner", "minutes": 25, "competences": ["2.3", "2.5", "2.1"], "pass_mark": 70,
    "lessons": [
        {"slug": "join-a-hall", "title": _l("Join a hall"), "steps": [
            _text(_l("What a hall is"),
                  _l("A hall is a place where people of a community talk and decide "
                     "together.\n"
                     "Choose Halls in the menu to see them. Everyone can read a hall.\n"
                     "To take part, log in. Then choose Join the hall on the hall's page."),
                  "hall.svg",
                  _l("Three people sit around a table. Speech bubbles are above them.")),
            _text(_l("Read the rules first"),
                  _l("Every hall has rules. Find them on the hall's page, under The hall's "
                     "rules.\n"
                     "Read them before you write.\n"
                     "A moderator hides comments that break the rules.")),
            _text(_l("Comment kindly"),
                  _l("Say what you think, and why. Keep it short.\n"
                     "Be kind, also when you do not agree. Talk about the idea, not about the "
                     "person.\n"
                     "Never write anyone's phone number or address.")),
            _practice(_l("Try it: write a practice comment"),
                      _l("Open the practice form. It shows a sample proposal: more benches in "
                         "the park.\n"
                         "Write what you think, then choose Publish your comment.\n"
                         "Nothing is published: it is only practice."),
                      "comment"),
        ]},
        {"slug": "proposals-meetings-votes", "title": _l("Proposals, meetings and votes"), "steps": [
            _text(_l("Support a proposal"),
                  _l("A proposal is an idea for the community. For example, more benches in "
                     "the park.\n"
                     "Do you agree? Choose Support this proposal.\n"
                     "Changed your mind? Choose Take back my support.\n"
                     "The number of supports shows how many people want it.")),
            _text(_l("Come to a meeting"),
                  _l("Halls hold meetings, in a room or online.\n"
                     "The meeting's page shows the Agenda: what people will talk about.\n"
                     "Members choose Register to say they will come.\n"
                     "After the meeting, the Minutes tell what was said and decided.")),
            _text(_l("Vote"),
                  _l("Sometimes a hall asks its members to vote. Only members of the hall "
                     "vote.\n"
                     "Choose your answer. Then choose Cast your vote.\n"
                     "Choose See the results to see what everyone chose.")),
            _quiz(_l("Check what you learned"), QUIZ_BODY, [
                _question(_l("What do you do before you write in a hall?"),
                          _l("Read the hall's rules first. They are on the hall's page, under "
                             "The hall's rules."),
                          [(_l("Read The hall's rules"), True),
                           (_l("Write your phone number"), False),
                           (_l("Nothing"), False)]),
                _question(_l("Which comments are kind? Choose all the right answers."),
                          _l("A kind comment talks about the idea and says why. It does not "
                             "attack the person."),
                          [(_l("“I agree, because my mother needs a place to rest.”"), True),
                           (_l("“I do not agree: the path is too narrow for benches.”"), True),
                           (_l("“Only a fool would write this.”"), False)],
                          multiple=True),
                _question(_l("You like a proposal. What do you choose?"),
                          _l("Choose Support this proposal. You can take it back later with "
                             "Take back my support."),
                          [(_l("Support this proposal"), True),
                           (_l("Leave the hall"), False),
                           (_l("Report"), False)]),
                _question(_l("Who can vote in a hall's vote?"),
                          _l("Only the hall's members vote. Join the hall first, on its page."),
                          [(_l("The members of the hall"), True),
                           (_l("Anyone, without an account"), False),
                           (_l("Only the staff"), False)]),
            ]),
        ]},
    ],
}


# --- (f) finding published information ------------------------------------------------------

FIND_PUBLISHED_INFORMATION = {
    "slug": "find-published-information",
    "title": _l("Find public information"),
    "summary": _l("Search the portal, read what is public, and ask a department for "
                  "information it holds."),
    "level": "intermediate", "minutes": 25, "competences": ["1.1", "1.2", "2.3"], "pass_mark": 70,
    "lessons": [
        {"slug": "search-and-read", "title": _l("Search and read"), "steps": [
            _text(_l("Search the portal"),
                  _l("At the top of every page there is a search box: Search the portal.\n"
                     "Type one or more words. Then choose Search.\n"
                     "You find requests, halls, debates and proposals. Only what everybody may "
                     "read is found."),
                  "search.svg",
                  _l("A magnifying glass over a page of text.")),
            _text(_l("Requests everyone can read"),
                  _l("Choose Requests in the menu. You see the requests residents raised, and "
                     "what the departments did about them.\n"
                     "Use Search to find requests about your street or a kind of problem.\n"
                     "Names, contact details and house numbers are not shown.")),
            _text(_l("Who is in charge, and what they answered"),
                  _l("Choose Who is responsible in the menu. You see which department is in "
                     "charge of what, and where.\n"
                     "Choose Information disclosure. You read questions people asked the "
                     "departments in public, and their answers.")),
        ]},
        {"slug": "ask-for-information", "title": _l("Ask for information"), "steps": [
            _text(_l("You have the right to ask"),
                  _l("You can ask any department for information it holds. For example, a "
                     "plan, a report or a budget.\n"
                     "Choose Information disclosure, then Ask for information. You need an "
                     "account.\n"
                     "Not sure which department? Use Find the department on the same page.")),
            _text(_l("The answer comes in working days"),
                  _l("The department must answer within a number of working days. The page "
                     "Ask for information tells you how many.\n"
                     "Working days are the days the offices are open. Weekends and public "
                     "holidays do not count.\n"
                     "The portal shows the date of the answer, and how it was worked out.")),
            _practice(_l("Try it: ask for information"),
                      _l("Open the practice form. Say what information you want. Choose the "
                         "department, and how you want to receive it.\n"
                         "Your request is private, unless you choose to make it public.\n"
                         "Nothing is sent: it is only practice."),
                      "disclosure"),
            _quiz(_l("Check what you learned"), QUIZ_BODY, [
                _question(_l("Where is the search box?"),
                          _l("The box Search the portal is at the top of every page."),
                          [(_l("At the top of every page"), True),
                           (_l("Only on the home page"), False),
                           (_l("There is no search box"), False)]),
                _question(_l("Which days count for the deadline of an answer?"),
                          _l("Only working days count: the days the offices are open. Weekends "
                             "and public holidays do not count."),
                          [(_l("Working days only"), True),
                           (_l("Every day, weekends too"), False),
                           (_l("Only Mondays"), False)]),
                _question(_l("What can you ask a department for? Choose all the right "
                             "answers."),
                          _l("You can ask for information the department holds, like a plan, a "
                             "report or a budget. You cannot ask for another person's private "
                             "details."),
                          [(_l("A plan for a new park"), True),
                           (_l("A report about the water"), True),
                           (_l("Your neighbour's phone number"), False)],
                          multiple=True),
            ]),
        ]},
    ],
}


COURSES = [
    BIGGER_TEXT_AND_KEYBOARD,
    ACCOUNT_AND_PASSWORD,
    SCAMS_AND_PERSONAL_DATA,
    RAISE_AND_FOLLOW_A_REQUEST,
    TAKE_PART_IN_A_HALL,
    FIND_PUBLISHED_INFORMATION,
]
