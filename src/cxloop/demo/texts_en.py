"""English fragments the demo composes customer texts from (expats in Ukraine and the diaspora).

Same shape as :mod:`cxloop.demo.texts_uk`; English needs no gendered forms.
"""

from __future__ import annotations

AGENTS = {"oksana": "Oksana", "andrii": "Andrii"}


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


OPENINGS = {
    "negative": [
        "Very disappointed.",
        "Honestly, I expected better.",
        "Writing because I'm fed up.",
        "Well, what can I say…",
        "Sadly, it didn't work out this time.",
        "Not my first order, but the first one this bad.",
    ],
    "ok": [
        "Overall fine.",
        "Honestly, no strong feelings.",
        "I've ordered from you before.",
        "All in all, okay.",
    ],
    "wow": [
        "You're the best!",
        "This was amazing!",
        "I want to thank the whole team!",
        "Wow!",
        "Simply delighted.",
        "Huge thanks!",
    ],
}

CLOSINGS = {
    "negative": [
        "Won't be ordering again.",
        "Very unpleasant.",
        "I hope you fix this.",
        "Looking for another bookshop for now.",
        "Wouldn't recommend.",
        "Do better.",
    ],
    "ok": ["Thanks.", "Satisfied overall.", "We'll see how it goes.", "Might order again."],
    "wow": [
        "Highly recommend!",
        "You're my bookshop from now on!",
        "Thank you, you're great!",
        "Already told my friends 🙂",
        "Keep it up!",
        "Will definitely order again.",
    ],
}

SHORT = {
    "negative": [
        "Awful",
        "Never again.",
        "Disappointing.",
        "Bad.",
        "Not recommended.",
        "terrible service",
    ],
    "ok": ["Fine.", "All ok.", "Okay", "As usual.", "No complaints.", "It's alright"],
    "wow": [
        "All great!",
        "Thank you!!!",
        "Best bookshop!",
        "Love you guys ❤️",
        "Top!",
        "Brilliant!",
    ],
}

ADD = ["Also,", "Plus,", "On top of that,", "And"]
BUT = ["But", "However,", "That said,", "Though"]
SOCIAL = ["@storinka.books", "A word about Storinka bookshop.", "Storinka bookshop review."]

# Who the order was for: a sentence that sets the scene before the verdict.
SITUATIONS = {
    "gift": [
        "Bought it as a gift.",
        "It was a present for my mum.",
        "Was looking for a gift for a colleague.",
        "A birthday present for my goddaughter.",
    ],
    "kids": [
        "Ordered books for my son.",
        "Bought some for my daughter for the holidays.",
        "Books for the kids, we chose them together.",
    ],
    "school": [
        "Putting together the school list for my second-grader.",
        "Textbooks for my son, 7th grade.",
    ],
    "study": [
        "Preparing for my exams.",
        "Needed it for my studies, urgently.",
        "Got textbooks for the exam session.",
    ],
    "corporate": ["We ordered books for the team.", "It was a corporate order for our office."],
    "abroad": ["I live abroad, so e-books only.", "I read on my phone, so I buy e-books."],
    "self": [
        "Got myself a new release.",
        "I'd been hunting for this book for ages.",
        "I read two books a week, so I order often.",
    ],
}

TOPICS = {
    "delivery_speed": {
        "negative": [
            "The order took {days} to arrive, even though the site promised next-day delivery.",
            'We waited {days} and the status kept saying "preparing for dispatch".',
            "I ordered a gift well in advance and it arrived {days} later, after the holiday.",
            "Delivery times on the site are pure fiction: {days} instead of one.",
            "Delivery took forever, I thought the parcel was lost.",
            "waited {days}, not great tbh",
        ],
        "ok": [
            "Delivered on time, as promised.",
            "Arrived in {days}, which is fine.",
            "The parcel came within the promised window, no surprises.",
            "Standard delivery, nothing special.",
        ],
        "wow": [
            "Ordered in the evening and had the book in my hands the next day!",
            "Crazy fast: I had barely paid when the dispatch text came in.",
            "Delivered sooner than promised, lovely surprise.",
            "Delivery speed is out of this world 🚀",
            "Ordered in the morning, reading by the evening. Magic!",
        ],
    },
    "courier": {
        "negative": [
            "The courier didn't call ahead and just left the package outside my door.",
            "The courier was two hours late and rude on the phone.",
            "The courier demanded cash although I had already paid by card.",
            "The courier refused to come up to my floor and told me to come down myself.",
            "courier rescheduled three times and no one explained anything",
        ],
        "ok": [
            "The courier arrived within the time slot.",
            "Polite courier, quick handover.",
            "Arranging the delivery with the courier was easy.",
            "The courier called in advance, as they should.",
        ],
        "wow": [
            "The courier was a gem: called half an hour ahead and helped carry a heavy box of "
            "textbooks.",
            "The courier wished me happy holidays and gave me a bookmark. Small thing, big smile.",
            "The courier waited while I checked the books and was smiling the whole time.",
            "I haven't met such a courteous courier in years.",
        ],
    },
    "branch": {
        "negative": [
            "An hour-long queue at Nova Poshta branch {branch}, and then they couldn't find the "
            "parcel.",
            "The parcel was sent to the wrong branch and I had to cross the whole city.",
            "Branch {branch} said there was no parcel, although tracking showed it had arrived.",
            "The parcel locker wouldn't open and my parcel sat there for two days.",
        ],
        "ok": [
            "Picked it up at Nova Poshta without a queue.",
            "Delivery to the branch, same as always.",
            "Collected at branch {branch}, everything was there.",
            "The parcel locker is next to my home, very convenient.",
        ],
        "wow": [
            "The parcel was at the branch the next morning, with a notification telling me "
            "exactly when.",
            "Love that I can choose a parcel locker: picked it up at 11 pm on my way home.",
            "Nova Poshta handed it over in a minute and the box was perfectly intact.",
        ],
    },
    "packaging": {
        "negative": [
            "The book came in a single thin bag and the cover was dented.",
            "The corners of the cover were bent, clearly the box had been thrown around.",
            "The box arrived wet and two books had swollen pages.",
            "The gift edition had a scratched dust jacket, too embarrassing to give.",
            "The books were rattling around in the box and one had a torn spine.",
        ],
        "ok": [
            "Standard packaging, books intact.",
            "Packed fine, no damage.",
            "The box was a bit crushed but the books were fine.",
            "Everything was shrink-wrapped and arrived safely.",
        ],
        "wow": [
            "The packaging is a treat in itself: kraft paper, a bookmark and a handwritten card.",
            "Every book shrink-wrapped, corners protected with cardboard. You can tell you care.",
            "Packed so carefully I almost didn't want to open it.",
            "Found a card with kind wishes and a sweet in the box. Tiny thing, melted my heart.",
        ],
    },
    "price": {
        "negative": [
            "Prices are higher than elsewhere, and my promo code never applied.",
            "Prices seem to go up almost every month, and it shows.",
            "A week later the same book was 100 UAH cheaper. Annoying.",
            "Shipping costs almost as much as the book.",
            "too expensive, other shops are cheaper",
        ],
        "ok": [
            "Prices are about average.",
            "Fair price for what you get.",
            "Normal prices, no surprises.",
            "A bit pricier than I'd like, but in line with the market.",
        ],
        "wow": [
            "The new release was cheaper than on the publisher's own site. Nice.",
            "Prices were a pleasant surprise, cheaper than the big chains.",
            "Getting an edition like this for that money is a gift.",
            "Free shipping over 800 UAH is a great idea.",
        ],
    },
    "promo": {
        "negative": [
            'A 5% "discount" on Black Friday, seriously?',
            "The Black Friday sale was advertised everywhere but didn't apply to my books.",
            "The sale price vanished from my cart while I was paying.",
        ],
        "ok": [
            "The Black Friday discount was decent, nothing crazy.",
            "A sale like any other, saved a little.",
        ],
        "wow": [
            "Caught the Black Friday sale and got five books for the price of three!",
            "Black Friday with you is a real party: stocked up on books for half a year.",
            "20% off even new releases. Thanks for keeping it honest!",
        ],
    },
    "book_quality": {
        "negative": [
            'Several pages fell out of "{book}" on the first read.',
            "The print is faded and some of the text is smudged, like a photocopy.",
            "The pages are out of order: page 129 comes right after 96.",
            "The paper is newsprint-thin and see-through, yet it's priced as premium.",
            "The glue on the spine cracked and the book is falling apart.",
        ],
        "ok": [
            "Good quality book, just like the photos.",
            "A regular edition, decent paper.",
            "Print quality is fine.",
            "The book matches the description on the site.",
        ],
        "wow": [
            '"{book}" is a stunning edition: thick paper, a ribbon marker and that fresh-print '
            "smell.",
            "The quality of the books is impressive, like from an expensive European bookshop.",
            "The illustrations are so vivid my kid won't put the book down.",
            "The edition is even more beautiful than in the photos.",
            "White paper, large type, a joy to read.",
        ],
    },
    "wrong_book": {
        "negative": [
            'I ordered "{book}" and got a completely different book.',
            "They sent the textbook for the wrong grade: 5th instead of 7th.",
            "The book came in Ukrainian although I ordered the English edition.",
            "There were three books in the order and only two in the box.",
            "They mixed up orders: someone else's book and someone else's receipt in my parcel.",
        ],
        "ok": [
            "They sent the wrong book but swapped it quickly.",
            "There was a small mix-up with the order, but it got sorted.",
            "One book was wrong, exchanged without any trouble.",
        ],
        "wow": [
            "They sent the wrong book, brought the right one the very next day and let me keep "
            "the other one as a gift!",
            "They apologised for the mistake, replaced everything and gave me a discount for "
            "next time. That's class.",
            "Even their mistake was fixed so well that only good memories are left.",
        ],
    },
    "site": {
        "negative": [
            "The site freezes at checkout, I had to enter my card details three times.",
            "Search can't find a book if you misspell a single letter.",
            "The payment failed but the money was taken from my card.",
            "The cart empties itself when you switch to your banking app to pay.",
            "The grade filter for textbooks doesn't work at all.",
        ],
        "ok": [
            "The site is easy to use, checkout took a couple of minutes.",
            "Found everything I needed through search.",
            "Card payment went through without issues.",
            "The site is OK, though the mobile version is a bit slow.",
        ],
        "wow": [
            "The most convenient bookshop site: search even understands typos.",
            "Ordered from my phone in a minute, Apple Pay made it effortless.",
            "The recommendations are spot on, found two books I'd never heard of.",
            "A wishlist that pings me when a price drops. Genius.",
        ],
    },
    "support": {
        "negative": [
            "The chat replied four hours later, when it no longer mattered.",
            "The agent answered with canned replies and never understood my problem.",
            "Wrote to support three times, silence.",
            "Support promised to call back and vanished.",
            "The chat bot goes in circles, impossible to reach a human.",
        ],
        "ok": [
            "The chat replied and solved my question.",
            "Support answered within an hour, fine.",
            "Polite agent, helped me with tracking.",
            "Got an answer in the chat, thanks.",
        ],
        "wow": [
            "{agent} from support is pure gold: sorted everything in two minutes and recommended "
            "a book too.",
            "They replied in the chat within a minute, even late in the evening!",
            "Support messaged me first to say the parcel was delayed and offered a discount. "
            "That's care.",
            "I was talking to a real person, not a bot, and it showed.",
            "Special thanks to {agent} in the support chat for the patience and warmth.",
        ],
    },
    "returns": {
        "negative": [
            "Returns are a nightmare: three weeks and still waiting for my money.",
            "To return a book you have to fill in a pile of forms and pay for shipping.",
            'They refused the return because the book "had been opened". Of course I opened it '
            "to check!",
            "The refund for the returned book never arrived.",
        ],
        "ok": [
            "The return was handled by the book, money back within a week.",
            "Returned the book without any problems.",
            "They did the exchange, though not very quickly.",
        ],
        "wow": [
            "Return in five minutes: the courier picked up the book and the refund came the same "
            "day.",
            "They didn't even ask why, just refunded me. Trusting customers like that is rare.",
            "Exchanged the book, no questions asked, and thanked me for the feedback.",
        ],
    },
    "loyalty": {
        "negative": [
            "My bonus points expired and nobody warned me.",
            "Bonus points only cover 10% of an order, hardly worth it.",
            "I've been buying here for years and never got a single personal offer.",
            "The loyal customer promo code didn't work.",
        ],
        "ok": [
            "Bonus points get added, I use them.",
            "The loyalty program is like everyone else's.",
            "The regular customer discount is nice.",
        ],
        "wow": [
            "Got a gift voucher on my birthday, really touching.",
            "My saved-up points covered half the order, love it!",
            "You remember what I like and suggest exactly that. I feel like a special customer.",
            "Tenth order already, and every time there's a little surprise in the box.",
        ],
    },
    "gift_wrap": {
        "negative": [
            "I paid for gift wrapping and the book came in a plain box.",
            "They charged 80 UAH for gift wrap and it was an ordinary bag.",
            "The card for the gift got lost, and the message mattered.",
        ],
        "ok": [
            "Gift wrap was neat, like in the photo.",
            "Wrapped in gift paper, all fine.",
            "The gift arrived on time, standard wrapping.",
        ],
        "wow": [
            "The gift wrap was like in a movie: ribbon, wax seal and my message handwritten on a "
            "card.",
            "My mum's gift was wrapped so beautifully she took photos before opening it.",
            "Wrapping paper with Ukrainian ornaments, so stylish!",
        ],
    },
    "ebook": {
        "negative": [
            "The e-book download link never came, had to contact support.",
            "The EPUB file won't open on my e-reader.",
            "The layout in the e-book is broken, tables are unreadable.",
            "The e-book costs almost as much as the paper one, odd.",
        ],
        "ok": [
            "The e-book arrived by email and opens fine.",
            "Files in several formats, handy.",
            "The e-book downloaded on the first try.",
        ],
        "wow": [
            "The e-book arrived a second after payment, started reading on the metro.",
            "No DRM hoops at all, went straight onto my Kindle.",
            "You can download EPUB, PDF and MOBI at once. Very thoughtful.",
            "Bought the e-book from abroad and was reading in Ukrainian a minute later.",
        ],
    },
}

# Recent trouble the demo's insights page must find on its own (``feedback.incidents``).
LOCKER = [
    "The Kvadro locker on my street refused to open again. The SMS code was 'invalid' and I "
    "stood there for half an hour.",
    "Chose a Kvadro locker because it sounded quicker. Screen went black, the door stays shut, "
    "nobody explains anything.",
    "Third time in a row the Kvadro locker 'doesn't recognise' my code. Terrible.",
    "The Kvadro locker door is jammed with my order inside and nobody has been able to open it "
    "for two days.",
    "Your new Kvadro lockers are a letdown: the pickup code expired before I even got there.",
    "The Kvadro locker by the metro has been switched off for a week. Why do you even work "
    "with them?",
    "Kvadro is the worst locker in town. The door won't open, the code is rejected.",
]
PAYMENT_OUTAGE = [
    "Can't pay for my order: the payment page keeps throwing an error.",
    "Payment failed twice, my card was charged anyway and the order still says unpaid.",
    "Third attempt to pay and another payment error. What is going on with your checkout?",
    "Card payments have been failing since this morning. Impossible to buy anything.",
    "I was charged twice for one order. Not happy.",
]
