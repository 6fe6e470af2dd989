"""A multilingual sentiment lexicon written by the cxloop team (Apache-2.0, like cxloop).

Entries are stems of normalised text (lower case, ``ё``→``е``, apostrophes unified): a word
belongs to the entry that is its longest matching prefix, so one stem covers the inflected forms of
Ukrainian and Russian ("поган" → поганий, погано, поганої…). An entry ending in ``=`` matches only
the whole word (short words such as "топ" or "рад" would otherwise catch "топити", "радіо").
Phrases ("так собі", "for the price") are matched before the words. The lists hold the words
customers use about shops, deliveries, products, flights and support; the cold-start classifier
learns how much each count weighs from the seed examples (``data/seed_examples.csv``).

Classes of entries:

- ``positive`` / ``negative``: praise and complaint;
- ``mild``: what a 3-star, "OK" text says ("нормально", "за свої гроші", "so-so", "a bit");
- ``function``: the thing did what it should ("працює", "отвечает", "arrived"): neutral alone,
  a complaint when negated ("не працює", "never arrived");
- ``cue``: complaint markers that are not sentiment words ("знову", "still", "why", "hours",
  returns and repairs);
- ``request``: asking for help or information ("підкажіть", "please"), common in neutral messages.

Negation: a word up to three words after a negator (не, ні, нет, not, never, n't, без, no…) within
the same clause counts as negated: "не погано", "not bad", "без проблем" → a mild positive; "не
рекомендую", "not happy", "не працює" → negative. A "не"/"un" prefix that turns a listed word
around ("неудобно", "недорого", "unhelpful") counts the same way. An intensifier (дуже, очень,
very…) makes the next sentiment word count twice.

Review forms: in the cons section ("Недоліки:", "Недостатки:", "Cons:") complaints are expected
even in a 5-star review, so they are counted apart, and an empty cons section ("Недоліки: немає")
is a feature of its own.
"""

from __future__ import annotations

import re

POSITIVE = {
    "uk": """добр добре чудов відмін відмінн супер суперов клас= класн класс= гарн гарне
        прекрасн чудесн найкращ кращ рекоменд раджу порадив задоволен задовол подоба сподоба
        люблю любим улюблен зручн швидк швидше якісн надійн дяку дякс дякуєм вдяч молодц приємн
        бездоганн ідеальн ідеал топ= топов вау= захват захоплен радий= рада= раді= щаслив
        вартий варта варте варті ввічлив уважн оперативн крутий= круто= крута= круті= круте=
        неймовірн шикарн фантаст ефективн потужн тихий= тихо= тиха= легк легесеньк красив
        перевершил перевершує перевершив чемн професійн виправда безпробл стильн міцн
        яскрав чітк соковит смачн свіж акуратн охайн сподобал задоволенн комфортн класно
        блискуч прекрасно вражає вражен вразив надзвичайн бомба= пушка= кайф вигідн
        найшвидш респект задоволений щиро дешев влаштов гідн
        вдалий= вдала= вдале= вдало= вдалу= вдалі= порадува пристойн шедевр знахідк тішит радує=
        радують= люкс=""",
    "ru": """хорош добр отличн супер суперск класс= классн прекрасн замечательн чудесн чудн
        лучш лучше рекоменд советую посоветова доволен довольн нрав понрав люблю любим любимы
        удобн быстр качествен надежн спасибо благодар молодц приятн безупречн идеальн идеал
        топ= топов вау= восторг восхищ рад= рада= рады= счастлив стоящ вежлив
        внимательн оперативн крутой= круто= крутая= крутые= крутое= невероятн шикарн фантаст
        эффективн мощн тихий= тихо= тихая= легк красив превзош професс оправда беспробл
        стильн прочн ярк четк сочн вкусн свеж аккуратн комфортн блестящ впечатл
        потрясающ изумительн великолепн бомба= пушка= кайф выгодн респект дешев устраива
        достойн
        удачн порадова приличн шедевр находк радует= радуют= люкс=""",
    "en": """good great excellent awesome amazing perfect love loved loving lovely liked best
        better recommend happy glad pleased satisfied fast quick reliable thank thx= ty=
        appreciat nice wonderful fantastic brilliant superb outstanding friendly helpful
        polite professional smooth easy comfortable comfy beautiful worth wow impress enjoy
        fabulous incredible terrific exceed favorite favourite fav= kudos awesomeness
        cool= sweet= gorgeous delight excited exciting fantastic flawless pleasant efficient
        courteous attentive stellar superior solid sturdy spotless clean= cleanest
        yay= hooray woohoo congrat shoutout safe= safely ontime early= props= bravo
        legit= glorious heaven blessed grateful gracious impeccable luv= lucky""",
}

NEGATIVE = {
    "uk": """поган погір жах жахлив огидн відстій розчар брак бракован зламал злама поламал
        поломк несправн дефект обман шахра кинул гірш найгірш гірше повільн затримк затрима
        запізн нахаб хамств хам= хамськ грубі грубо груб ігнор скарг проблем помилк неякісн
        дешевк шкоду шкода жаль нажаль дорог дорожч завищ шум шумн гріє гріється тріщ подряпин
        бруд м'ят пошкод скасува відмов незручн слабк нікчем викинут втрачен загуб
        глюч глюк зависа зависан пропада перестав перестал мига мерехт тормоз гальму заїка
        непридат люфт тупий= тупі= тупа= ламаєт ламаєть тріска вибива відвалю протіка іржав
        смерд воня запах розваливс розвали облаз облуп відклеї криво крив бовта хитає
        перегріва перегрів згорів згорі вигорі здох помер зіпсув зіпсов лажа халтур
        жахливо убог нещаст марн даремн невдал невдач кошмар знущ безвідповідал неадекват
        тупо нерв обурен обурю злий= зла= злість прикро образл гидк гидот треш розчарува
        несправедлив шахрай лохотрон підробк підробл фейк китайщин пластмас
        деренч скрип хрип тріщин перекос перекош нерівн фігн хрін капєц капець
        лайно деформ здув вздув битий= битих= битого= биті= бита= засвіт незрозуміл
        лагає лагав лаги= полетів= полетіла= здох розплав оплав
        жахітт мука= мучи бісить дратує дратув ганьб соромно брехн брешуть""",
    "ru": """плох ужас ужасн отвратит отстой разочар брак бракован сломал слома поломал
        поломк неисправ дефект обман мошен кинул хуж худш медлен задерж опозд хам= хамск
        хамств грубо грубы груб игнор жалоб проблем ошибк некачествен дешевк жаль жалею
        сожален дорог дорож завыш шум шумн грее трещ царапин гряз мят поврежд отмен отказ
        неудобн слаб никчем выброс потерян потеря глюч глюк зависа зависан пропада перестал
        мига мерца тормоз заика непригод люфт тупые= тупой= тупая= ломает трещит выбива
        отвали протека ржав воня вонь запах развалил разваливает облез облупил отклеи
        криво крив болта шата перегрева перегрел сгорел сгорает выгор сдох умер испорт
        лажа халтур убог несчаст зря бесполез неудач кошмар издевательств безответствен
        неадекват тупо нерв возмущ злой= злая= злость обидн обидно гадк гадост треш
        несправедлив мошенник лохотрон подделк поддел фейк китайщин пластмас
        дребезж скрип хрип трещин перекос неровн шлак фигн хрен= хрень капец
        отврат деформ вздул вздут битый= битых= битые= битого= битая= засвет непонятн
        лагает лагал лаги= лагов= полетел= полетела= здох расплав оплав
        бесит раздража позор стыдно вранье врут= мучени мучаюсь""",
    "en": """bad terrible awful horrible worst worse poor disappoint broken broke defect
        faulty refund scam fraud slow delay late= lost cancel rude ignore complain problem
        issue error cheap overpriced expensive noisy damaged damage dirty crushed useless
        waste unacceptable ridiculous fail failed annoy angry frustrat sucks suck stuck
        missed missing mess hate hated nightmare glitch freez crash flicker leak rust
        disgust pathetic incompetent unprofessional horrendous atrocious appalling
        shame shameful joke= clueless lie= lied lies= lying liar ripoff stolen
        steal nasty gross filthy smell stink misera unhappy upset furious outrage
        insult disrespect inconvenien strand screw= screwed mad= hell= dumb stupid wtf=
        fuck shit crap rubbish trash garbage sad= sadly unfortunately apolog sorry lousy
        subpar mediocre worthless bummer ugh= boo= awful tired sick= hassle chaos confus
        unreliable mistak wrong overbook oversold dump junk wth=""",
}

# The strongest praise and complaint (also counted with the lists above): a star-rated review
# that uses them is usually a 5 or a 1, while "добре", "проблема", "fine" also come in 3-star ones.
STRONG_POSITIVE = {
    "uk": """чудов відмін відмінн супер суперов клас= класн прекрасн найкращ бездоганн ідеальн
        топ= вау= захват захоплен неймовірн шикарн фантаст перевершил перевершує перевершив
        бомба= пушка= кайф рекоменд раджу щаслив вражає вражен вразив надзвичайн блискуч""",
    "ru": """отличн супер суперск класс= классн прекрасн замечательн лучш идеальн безупречн
        топ= вау= восторг восхищ невероятн шикарн фантаст превзош бомба= пушка= кайф рекоменд
        советую потрясающ изумительн великолепн счастлив""",
    "en": """excellent awesome amazing perfect love loved best fantastic brilliant superb
        outstanding wonderful incredible terrific fabulous flawless stellar impeccable
        recommend exceed""",
}
STRONG_NEGATIVE = {
    "uk": """жах жахлив огидн відстій найгірш обман шахра кошмар треш лайно нікчем непридат
        розчар зламал злама брак бракован лохотрон жахливо гидк гидот фігн хрін капєц капець
        шахрай викинут""",
    "ru": """ужас ужасн отвратит отстой худш обман мошен кошмар треш шлак никчем непригод
        разочар сломал слома брак бракован лохотрон гадк гадост фигн хрен= хрень капец
        отврат""",
    "en": """terrible awful horrible worst disgust pathetic horrendous atrocious appalling
        nightmare scam fraud hate hated unacceptable ridiculous useless rubbish garbage trash
        fuck shit crap worthless""",
}

MILD = {
    "uk": """нормальн норм= нормас ок= окей= ok= okay= непоган середн посередн задовільн прийнятн
        терпим звичайн пересічн мінус мінуси= мінусів недолік недоліки= нюанс трохи дещо
        трішки трошки загалом піде= підійде= пойде= сойде= хотілос хотілось хотілося
        бажан варто= могло= непогано очікуван очікував середнячок
        зійде= простеньк простий= проста= бюджетн""",
    "ru": """нормальн норм= нормас ок= окей= ok= okay= неплох средн посредствен удовлетворит
        приемлем терпим
        обычн минус минусы= минусов недостат нюанс немного слегка чуть= чуточку пойдет=
        сойдет= подойдет= хотелос хотелось бы= желател стоило= могло= ожидан
        ожидал средненьк простеньк простой= простая= бюджетн""",
    "en": """ok= okay= okey= fine= decent average alright meh= so-so mediocre reasonable
        acceptable fair= bit= slightly somewhat little= minor overall
        expected expect mixed basic= standard ordinary adequate tolerable wish
        hope hopefully downside con= cons= kinda= sorta=""",
}

FUNCTION = {
    "uk": """працю працюв зароб включ увімкн ввімкн вмика вимика заряджа заряджає трима тримає
        відповіда
        відповів відповіл допомог допомож допомаг прийш приїх достав доставил отрима
        спрацьов реагу підходи підійш підход відкрива відкрив закрива пасу
        повідоми зв'язал передзвон перезвон вирішил вирішу вирішен бачить= бачать=
        робоч""",
    "ru": """работа работ= заработ включ выключа заряжа держ отвеча ответил ответили
        помог помоч помога приш прибыл привез достав получ срабатыва реагир подход подош
        соответств открыва закрыва сообщ связал перезвон решил решен решают видит=
        рабоч""",
    "en": """work works= working worked function charg respond respons answer repl help
        arriv receiv deliver fix= fixed resolv solv connect load show showed call= called
        contact notif rebook luggage bag= bags= care= cares= cared update""",
}

CUE = {
    "uk": """досі знову знов вкотре чека чекал чекаю поверн поверта повернен ремонт
        сервісн гарантійн замін чому= навіщо= хіба= годину= години= годин= годинами=
        тижн тиждень місяц""",
    "ru": """опять снова очередн жда ждал жду= возвр верну вернул ремонт сервисн
        гарантийн замен почему= зачем= разве= часа= недел месяц""",
    "en": """still= again= why= hours= hrs= hour= waiting wait= waited yet= seriously
        anymore= nobody= anyone= excuse supposed compensat voucher credit""",
}

REQUEST = {
    "uk": """підкажіть підскажіть скажіть порадьте поясніть допоможіть чи= питання= прохання
        просимо прошу= цікавить""",
    "ru": """подскажите скажите посоветуйте объясните помогите ли= вопрос= просьба прошу=
        пожалуйста интересует""",
    "en": """please pls= plz= dm= follow= question= can= could= how= when= where= what=
        which= info= information any= possible""",
}

# Longer stems that only look like a listed one ("гарнітура" is not "гарна", "шумоподавлення" is
# a feature, not noise): they match nothing.
NOT_SENTIMENT = {
    "uk": """гарнітур шумоподав шумоізол шумозаглуш шумопоглин шумодав добрив""",
    "ru": """гарнитур шумоподав шумоизол шумопоглощ шумодав мятн удобрен""",
    "en": """thanksgiving""",
}
# Ukrainian reviews borrow Russian words and the other way round (surzhyk, the review form's
# Russian "Достоинства/Недостатки"): a word the text's own lexicon does not know is looked up in
# the neighbour's.
NEIGHBOUR = {"uk": "ru", "ru": "uk"}

# Multi-word entries, matched first (and then blanked out so their words do not count again).
PHRASES = {
    "uk": {
        "mild": """три зірки|три з п'яти|так собі|за свої гроші|за такі гроші|за ці гроші|за свою
            ціну|за таку ціну|
            за цю ціну|за цю вартість|в цілому|в принципі|на трійку|на троєчку|могло бути краще|
            могло б бути краще|нічого особливого|є нюанси|є недоліки|є мінуси|є свої мінуси|
            на любителя|поки що|поки не зрозумів|як на мене|для своєї ціни|середній рівень""",
        "strong_negative": """гроші на вітер|викинуті гроші|ніколи більше|не раджу|
            не рекомендую|не купуйте""",
        "negative": """на жаль|більше не|не варто|не вартий|не варте|краще б|
            залишає бажати кращого|залишає бажати|бажає кращого|
            не відповідає опису|не той|не ті|не та|не те|ні про що""",
        "strong_positive": """все супер|все чудово|все відмінно|всім раджу|всім
            рекомендую|на всі сто|на всі 0|п'ять зірок""",
        "positive": """без проблем|без нарікань|без зауважень|без жодних|
            все добре|все сподобалось|ні разу не
            пожалів|не пошкодував|ніяких проблем|жодних проблем|свої гроші варт|вартий своїх
            грошей|коштує своїх грошей|все в порядку|за свої гроші супер|на всі сто|на всі 0""",
        "cue": """до цих пір|вже не|так і не|досі не""",
        "request": """будь ласка|дякую заздалегідь|заздалегідь дякую|підкажіть будь ласка""",
        "neutral": """доброго дня|добрий день|добрий вечір|доброго вечора|добрий ранок|доброго
            ранку|добрий час|доброї доби|всім привіт""",
    },
    "ru": {
        "mild": """три звезды|три из пяти|так себе|за свои деньги|за такие деньги|за эти деньги|за
            свою цену|за такую
            цену|за эту цену|в целом|в принципе|на троечку|на тройку|могло быть лучше|могло бы
            быть лучше|ничего особенного|есть нюансы|есть недостатки|есть минусы|есть свои
            минусы|на любителя|пока что|как по мне|для своей цены|средний уровень""",
        "strong_negative": """деньги на ветер|выброшенные деньги|никогда больше|не
            советую|не рекомендую|не покупайте""",
        "negative": """к сожалению|больше не|не стоит|лучше бы|оставляет желать
            лучшего|оставляет желать|не соответствует
            описанию|не тот|не те|не та|не то""",
        "strong_positive": """все супер|все отлично|всем советую|всем рекомендую|на все
            сто|на все 0|пять звезд""",
        "positive": """без проблем|без нареканий|без замечаний|без каких|
            все хорошо|все понравилось|ни разу не пожалел|не
            пожалел|никаких проблем|свои деньги стоит|стоит своих денег|все в порядке|на все сто|на
            все 0""",
        "cue": """до сих пор|уже не|так и не""",
        "request": """заранее спасибо|спасибо заранее|подскажите пожалуйста""",
        "neutral": """добрый день|доброго дня|добрый вечер|доброго вечера|доброе утро|доброго
            утра|доброго времени суток|всем привет""",
    },
    "en": {
        "mild": """three stars|so so|for the price|for the money|for this price|not bad|could be
            better|
            could have been better|nothing special|not great|not the best|not too bad|
            so far|in general|on the whole|it's ok|its ok|mixed feelings|pretty good|
            good enough|not sure|so-so""",
        "strong_negative": """never again|waste of money|do not recommend|would not
            recommend|thanks for nothing|worst airline|one star""",
        "negative": """leaves a lot to be desired|leaves much to be
            desired|waste of time|not worth|do not recommend|
            don't recommend|wouldn't recommend|would not recommend|no one|nobody|on hold|
            customer service|worst airline|thanks for nothing|still waiting|no response|
            no answer|no help|not happy|not impressed|what a joke|let down|fed up|
            missed my|missed connection|over an hour|for hours|hours late|rip off|rip-off|
            not working|does not work|did not work|can not get|could not get""",
        "strong_positive": """highly recommend|the best|love it|above and beyond|five
            stars|made my day""",
        "positive": """no problem|no problems|no issues|no complaints|thank you|thanks so
            much|thank u|great job|well done|love you|
            made my day|above and beyond|you rock|you guys rock|shout out|can not wait|cant
            wait|on time|first class service""",
        "cue": """how long|how come|what's going on|what is going on|any update|any
            updates|when will""",
        "request": """thanks in advance|thank you in advance|can you|could you|can i|
            do you|is there|are there|let me know|help me""",
        "neutral": """good morning|good afternoon|good evening|good luck|good to know""",
    },
}

NEGATORS = frozenset(
    {
        "не", "ні", "ані", "ніколи", "немає", "нема", "жодного", "жодних", "жодної", "без",
        "нет", "ни", "никогда", "нету", "никакого", "никаких", "никакой",
        "not", "no", "never", "nothing", "without", "cannot", "cant", "dont", "didnt",
        "doesnt", "isnt", "wasnt", "arent", "werent", "wont", "wouldnt", "couldnt", "havent",
        "hasnt", "hadnt", "aint", "nor", "neither",
    }
)  # fmt: skip
INTENSIFIERS = frozenset(
    {
        "дуже", "вельми", "надзвичайно", "страшенно", "максимально", "зовсім", "абсолютно",
        "геть", "надто", "занадто", "сильно", "настільки", "реально", "просто", "такий",
        "така", "таке", "такі", "найбільш", "дуж",
        "очень", "весьма", "крайне", "чрезвычайно", "безумно", "жутко", "совсем",
        "слишком", "настолько", "такой", "такая", "такое",
        "такие", "самый", "самая", "самое", "наиболее",
        "very", "really", "so", "extremely", "super", "absolutely", "totally", "too",
        "incredibly", "completely", "utterly", "truly", "most", "such", "beyond", "seriously",
        "highly", "terribly", "pretty",
    }
)  # fmt: skip
CONTRAST_WORDS = frozenset(
    {
        "але", "однак", "проте", "хоча", "зате",
        "но", "однако", "хотя", "зато",
        "but", "however", "although", "though", "except",
    }
)  # fmt: skip
# "Недоліки: немає", "Минусы: не обнаружено", "Cons: none": an empty cons section.
_NOTHING = frozenset(
    {
        "немає", "нема", "нет", "нету", "ні", "none", "no", "nothing", "відсутні",
        "отсутствуют", "не", "поки", "пока", "жодних", "никаких", "n", "na",
    }
)  # fmt: skip
_SECTION = re.compile(
    r"(переваги|достоинства|плюси|плюсы|pros|недоліки|недостатки|мінуси|минусы|cons)\s*:"
)
_CONS = frozenset({"недоліки", "недостатки", "мінуси", "минусы", "cons"})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|[.,;:!?()]")
POSITIVE_EMOJI = re.compile(
    r"[😀😁😂😃😄😆😉😊😋😌😍😎🙂🥰😘😻👍👌👏🙌💪🔥❤♥💕💖💗💙💚💛💜💯🙏🎉🎊✨☺🤩🥳🌟⭐😇🤗]"
    r"|:-?\)|;-?\)|=\)|:-?d\b|\bxd\b|<3|\)\)"
)
NEGATIVE_EMOJI = re.compile(
    r"[😡😠🤬😞😟😢😭😤👎💩😩😫🙄😒😔😕🙁☹😖😣🤦😬😱😰😥🤮🤢💔😑]|:-?\(|:'\(|\(\("
)

FEATURES = (
    "positive",
    "negative",
    "negated_positive",
    "negated_negative",
    "mild",
    "negated_function",
    "function",
    "cue",
    "request",
    "intensified_positive",
    "intensified_negative",
    "strong_positive",
    "strong_negative",
    "cons_negative",
    "no_cons",
    "both",
    "none",
    "contrast",
    "question",
    "exclaim",
    "positive_emoji",
    "negative_emoji",
    "positive_after_contrast",
    "negative_after_contrast",
    "balance",
    "long",
)

# Classes of a word.
_POS, _NEG, _MILD, _FUNC, _CUE, _REQ, _NEGATOR, _INTENSIFIER, _CONTRAST, _NONE = range(10)
_STRONG_POS, _STRONG_NEG = 10, 11
_CLASSES = {
    "strong_positive": (STRONG_POSITIVE, _STRONG_POS),
    "strong_negative": (STRONG_NEGATIVE, _STRONG_NEG),
    "positive": (POSITIVE, _POS),
    "negative": (NEGATIVE, _NEG),
    "mild": (MILD, _MILD),
    "function": (FUNCTION, _FUNC),
    "cue": (CUE, _CUE),
    "request": (REQUEST, _REQ),
}
_PHRASE_CODES = {name: code for name, (_, code) in _CLASSES.items()} | {"neutral": _NONE}

# Indices into the counters that ``_scan`` fills.
(
    _C_POS,
    _C_NEG,
    _C_NEG_POS,
    _C_NEG_NEG,
    _C_MILD,
    _C_NEG_FUNC,
    _C_FUNC,
    _C_CUE,
    _C_REQ,
    _C_INT_POS,
    _C_INT_NEG,
    _C_CONS_NEG,
    _C_NO_CONS,
    _C_CONTRAST,
    _C_TAIL_POS,
    _C_TAIL_NEG,
    _C_STRONG_POS,
    _C_STRONG_NEG,
    _C_SIZE,
) = range(19)
# What a phrase of each class adds to.
_PHRASE_COUNTERS = {
    _STRONG_POS: (_C_POS, _C_STRONG_POS),
    _STRONG_NEG: (_C_NEG, _C_STRONG_NEG),
    _POS: (_C_POS,),
    _NEG: (_C_NEG,),
    _MILD: (_C_MILD,),
    _CUE: (_C_CUE,),
    _REQ: (_C_REQ,),
    _NONE: (),
}
_NEGATION_SCOPE = 3  # words
_INTENSIFIER_SCOPE = 2


class _Language:
    """The lexicon of one language, compiled: stems and whole words per class, the phrase regex,
    and a memo of every word already classified (customers reuse a small vocabulary)."""

    def __init__(self, language: str) -> None:
        self.stems: dict[str, int] = {}
        self.words: dict[str, int] = {}
        for lists, code in _CLASSES.values():
            for entry in lists[language].split():
                if entry.endswith("="):
                    self.words.setdefault(entry[:-1], code)
                else:
                    self.stems.setdefault(entry, code)
        for entry in NOT_SENTIMENT[language].split():
            self.stems[entry] = _NONE
        for word in NEGATORS:
            self.words[word] = _NEGATOR
        for word in INTENSIFIERS:
            self.words.setdefault(word, _INTENSIFIER)
        for word in CONTRAST_WORDS:
            self.words[word] = _CONTRAST
        self.longest = max(map(len, self.stems))
        self.phrase_code: dict[str, int] = {}
        for name, text in PHRASES[language].items():
            for phrase in text.split("|"):
                phrase = " ".join(phrase.split())
                if phrase:
                    self.phrase_code.setdefault(phrase, _PHRASE_CODES[name])
        alternatives = sorted(self.phrase_code, key=len, reverse=True)
        self.phrases = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(p) for p in alternatives) + r")(?!\w)"
        )
        self.memo: dict[str, tuple[int, bool]] = {}
        self.neighbour: _Language | None = None

    def _own(self, word: str) -> int | None:
        found = self.words.get(word)
        if found is not None:
            return found
        for size in range(min(len(word), self.longest), 2, -1):
            found = self.stems.get(word[:size])
            if found is not None:
                return found
        return None

    def _lookup(self, word: str) -> int:
        found = self._own(word)
        if found is None and self.neighbour is not None:
            found = self.neighbour._own(word)
        return _NONE if found is None else found

    def classify(self, word: str) -> tuple[int, bool]:
        """(class, turned): ``turned`` when a "не"/"un" prefix reverses a listed word."""
        found = self.memo.get(word)
        if found is not None:
            return found
        code, turned = self._lookup(word), False
        if code == _NONE:
            for prefix in _TURNING_PREFIXES:
                rest = word[len(prefix) :]
                if word.startswith(prefix) and len(rest) >= 4:
                    inner = self._lookup(rest)
                    if inner in (_POS, _NEG, _STRONG_POS, _STRONG_NEG):
                        code, turned = inner, True
                        break
        result = (code, turned)
        if len(self.memo) < 200_000:
            self.memo[word] = result
        return result


_TURNING_PREFIXES = ("не", "un", "dis", "in")
_LANGUAGES = {lang: _Language(lang) for lang in POSITIVE}
for _lang, _other in NEIGHBOUR.items():
    _LANGUAGES[_lang].neighbour = _LANGUAGES[_other]


def _scan(text: str, lexicon: _Language, counts: list[float]) -> None:
    """Adds what ``lexicon`` finds in ``text`` to ``counts`` (indices ``_C_…``)."""
    phrase_code = lexicon.phrase_code

    def blank(match: re.Match[str]) -> str:
        for counter in _PHRASE_COUNTERS[phrase_code[match.group(0)]]:
            counts[counter] += 1
        return " ; "

    parts = _SECTION.split(lexicon.phrases.sub(blank, text))
    classify = lexicon.classify
    tail_pos = tail_neg = 0
    in_cons = False
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a section name: "Недоліки", "Pros"…
            in_cons = part in _CONS
            if in_cons:
                following = _WORD.findall(parts[index + 1][:40])
                if not following or following[0] in _NOTHING or not following[0].isalpha():
                    counts[_C_NO_CONS] += 1
            continue
        negated = intensified = 0
        weak = False  # "не дуже", "not very" still waiting for its word
        for token in _WORD.findall(part):
            if not token[0].isalpha():  # punctuation ends a clause
                if weak:  # "Якість не дуже." on its own is a complaint
                    counts[_C_NEG_POS] += 1
                    tail_neg += 1
                negated = intensified = 0
                weak = False
                continue
            code, turned = classify(token)
            if code == _NEGATOR:
                negated = _NEGATION_SCOPE
                continue
            if code == _INTENSIFIER:
                intensified = _INTENSIFIER_SCOPE
                weak = negated > 0
                continue
            if code != _NONE:
                weak = False
            if code == _CONTRAST:
                counts[_C_CONTRAST] = 1
                tail_pos = tail_neg = negated = intensified = 0
                continue
            strong = code >= _STRONG_POS
            if strong:
                code = _POS if code == _STRONG_POS else _NEG
            if code == _POS:
                if (negated > 0) != turned:
                    counts[_C_NEG_POS] += 1
                    tail_neg += 1
                else:
                    counts[_C_POS] += 1
                    counts[_C_INT_POS] += intensified > 0
                    counts[_C_STRONG_POS] += strong
                    tail_pos += 1
            elif code == _NEG:
                if (negated > 0) != turned:
                    counts[_C_NEG_NEG] += 1
                    tail_pos += 1
                elif in_cons:
                    counts[_C_CONS_NEG] += 1
                else:
                    counts[_C_NEG] += 1
                    counts[_C_INT_NEG] += intensified > 0
                    counts[_C_STRONG_NEG] += strong
                    tail_neg += 1
            elif code == _FUNC:
                if negated:
                    counts[_C_NEG_FUNC] += 1
                    tail_neg += 1
                else:
                    counts[_C_FUNC] += 1
            elif code == _MILD:
                # "без недоліків", "no downside": a negated reservation is praise.
                counts[_C_NEG_NEG if negated else _C_MILD] += 1
            elif code == _CUE:
                counts[_C_CUE] += 1
            elif code == _REQ:
                counts[_C_REQ] += 1
            if negated:
                negated -= 1
            if intensified:
                intensified -= 1
        if weak:
            counts[_C_NEG_POS] += 1
            tail_neg += 1
    if counts[_C_CONTRAST]:
        counts[_C_TAIL_POS] += tail_pos
        counts[_C_TAIL_NEG] += tail_neg


_EN_CONTRACTIONS = (("can't", "can not"), ("won't", "will not"), ("n't", " not"))


def lexicon_features(normalised: str, language: str) -> list[float]:
    """The :data:`FEATURES` of a normalised text; unknown languages use all three lexicons.

    The words after the last "but" (але, но, but…) are counted again on their own: in a review
    that praises and then complains, the verdict is usually what comes after the turn.
    """
    text = normalised
    if "n't" in text:
        for short, long in _EN_CONTRACTIONS:
            text = text.replace(short, long)
    counts = [0.0] * _C_SIZE
    for lang in (language,) if language in _LANGUAGES else tuple(_LANGUAGES):
        _scan(text, _LANGUAGES[lang], counts)
    pos = counts[_C_POS] + counts[_C_NEG_NEG]
    neg = counts[_C_NEG] + counts[_C_NEG_POS] + counts[_C_NEG_FUNC]
    return [
        min(counts[_C_POS], 6),
        min(counts[_C_NEG], 6),
        min(counts[_C_NEG_POS], 3),
        min(counts[_C_NEG_NEG], 3),
        min(counts[_C_MILD], 4),
        min(counts[_C_NEG_FUNC], 3),
        min(counts[_C_FUNC], 3),
        min(counts[_C_CUE], 3),
        min(counts[_C_REQ], 3),
        min(counts[_C_INT_POS], 3),
        min(counts[_C_INT_NEG], 3),
        min(counts[_C_STRONG_POS], 3),
        min(counts[_C_STRONG_NEG], 3),
        min(counts[_C_CONS_NEG], 3),
        min(counts[_C_NO_CONS], 1),
        float(pos > 0 and neg > 0),
        float(pos == 0 and neg == 0),
        counts[_C_CONTRAST],
        float("?" in normalised),
        min(normalised.count("!"), 3),
        min(len(POSITIVE_EMOJI.findall(normalised)), 3),
        min(len(NEGATIVE_EMOJI.findall(normalised)), 3),
        min(counts[_C_TAIL_POS], 3),
        min(counts[_C_TAIL_NEG], 3),
        (pos - neg) / (pos + neg + 1),
        min(len(normalised) / 300, 3),
    ]
