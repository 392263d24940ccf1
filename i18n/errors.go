package i18n

// errorTexts are the errors people meet from below the bot and the CLI:
// looking contacts up and searching (package store), and the actions
// (package actions), made with followup.Errorf. Names of fields, flags
// and commands stay as they are written.
var errorTexts = []text{
	{"taking over needs an agent: the one who takes it", "чтобы забрать фоллоу-ап, нужен агент — тот, кто его забирает"},
	{"time_zone %q is not an IANA time zone like Europe/Berlin", "time_zone %q — не часовой пояс IANA вроде Europe/Berlin"},
	{"contact %d has no conversation to assign", "у контакта %d нет разговора, который можно назначить"},
	// followup: reading what people type.
	{"unknown channel %q (one of: %s)", "неизвестный канал %q (один из: %s)"},
	{"unknown role %q (agent or supervisor)", "неизвестная роль %q (agent или supervisor)"},
	{"unknown message tag %q (one of: ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)",
		"неизвестный тег сообщения %q (один из: ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)"},
	{"unknown template status %q (approved, pending, rejected or paused)", "неизвестный статус шаблона %q (approved, pending, rejected или paused)"},

	// actions.
	{"%s has no channel to write on", "У контакта %s нет канала, в который можно написать"},
	{"%s has no %s address (channels: %s)", "У контакта %s нет адреса в канале %s (каналы: %s)"},
	{"%s has no WhatsApp address, and templates are WhatsApp's (channels: %s)",
		"У контакта %s нет адреса WhatsApp, а шаблоны есть только в WhatsApp (каналы: %s)"},
	{"%s: refused: %s", "%s: отклонено: %s"},
	{"no follow-up is running for %s", "у контакта %s нет активного фоллоу-апа"},
	{"template parameter %q: write it as 1=value", "параметр шаблона %q: пишите его как 1=значение"},
	{"template parameters must be numbered 1, 2, 3 … without gaps", "параметры шаблона нумеруются 1, 2, 3 … без пропусков"},

	// store: contacts and search.
	{"which contact? Give an id, email, phone or name", "какой контакт? Укажите id, email, телефон или имя"},
	{"no contact matches %q", "ни один контакт не подходит под %q"},
	{"no contact matches %q exactly; did you mean %s?", "ни один контакт не подходит под %q точно; может быть, вы имели в виду %s?"},
	{"%q matches several contacts: %s; use the id, email or phone", "под %q подходят несколько контактов: %s; укажите id, email или телефон"},
	{"contact %d has no %s identity", "у контакта %d нет идентификатора в канале %s"},
	{"contact %d has no open conversation", "у контакта %d нет открытого разговора"},
	{"empty search: give a name, an email or a phone number", "пустой запрос: укажите имя, email или номер телефона"},
	{"the search is not valid UTF-8 text", "запрос — не текст в UTF-8"},
	{"the search is %d characters long; the limit is %d", "в запросе %d символов, а можно не больше %d"},
	{"the search contains a control character", "в запросе есть управляющий символ"},
	{"--mine needs the agent whose inbox to search", "--mine требует агента, во входящих которого искать"},
	{"unknown inbox %q (mine or all)", "неизвестный список входящих %q (mine или all)"},
	{"unknown status %q (closed, open or any)", "неизвестный статус %q (closed, open или any)"},
	{"limit must be between 1 and %d", "limit должен быть от 1 до %d"},
	{"offset must be between 0 and %d; narrow the search instead", "offset должен быть от 0 до %d; лучше уточните запрос"},
	{"email %q is not an address (name@domain)", "email %q — не адрес (имя@домен)"},
	{"external_id %q needs a channel", "для external_id %q нужен канал"},
	{"channel %s needs an external_id", "для канала %s нужен external_id"},
	{"channel %s needs an external_id, or the contact's %s", "для канала %s нужен external_id или %s контакта"},
	{"two %s identities: a contact has one identity per channel", "два идентификатора %s: у контакта один идентификатор на канал"},
	{"a contact needs at least a name, an email, a phone or a channel identity",
		"у контакта должно быть хотя бы имя, email, телефон или идентификатор в канале"},
	{"assignee %q is not a registered agent (followup agents add)", "исполнитель %q не зарегистрирован как агент (followup agents add)"},
	{"%s %q has a character that is not a digit, space, +, -, ., / or a bracket",
		"в %s %q есть символ, который не цифра, пробел, +, -, ., / или скобка"},
	{"%s %q has no digits", "в %s %q нет цифр"},
	{"%s %q needs a country code: write it as +<country><number>, e.g. +14155550142, or set the workspace's region for national numbers (followup settings set default_region GB)",
		"для %s %q нужен код страны: пишите +<страна><номер>, например +14155550142, или задайте регион рабочего пространства для национальных номеров (followup settings set default_region GB)"},
	{"%s %q does not start with a country code (+1, +44, …)", "%s %q не начинается с кода страны (+1, +44, …)"},
	{"%s %q is not a phone number (%v)", "%s %q — не номер телефона (%v)"},
	{"%s %q is not an international number (7 to 15 digits after the +)", "%s %q — не международный номер (от 7 до 15 цифр после +)"},
	{"%s %q: +%d is not a country code", "%s %q: +%d — не код страны"},
	{"%s %q is not a valid +%d number: %s", "%s %q — недопустимый номер +%d: %s"},
	{"%s external_id %q is not %s", "external_id %[2]q в канале %[1]s — не %[3]s"},

	// csvimport: the header of a contacts file.
	{"the file is empty: the first row must name the columns (%s)", "файл пуст: первая строка должна называть столбцы (%s)"},
	{"cannot read the header row (line %d): %s", "не удаётся прочитать строку заголовков (строка %d): %s"},
	{"unknown column %q in the header (known: %s)", "неизвестный столбец %q в заголовке (известные: %s)"},
	{"column %q appears twice in the header", "столбец %q встречается в заголовке дважды"},

	// store: agents, templates, cadences, messages.
	{"an agent needs a Slack user id (--slack-user U…)", "агенту нужен id пользователя Slack (--slack-user U…)"},
	{"an agent needs a name (--name)", "агенту нужно имя (--name)"},
	{"no agent with Slack user id %q", "нет агента с id пользователя Slack %q"},
	{"a template needs a name", "шаблону нужно имя"},
	{"parameter count must be 0 or more", "число параметров должно быть 0 или больше"},
	{"no %s template named %q (followup templates list shows them)", "в канале %s нет шаблона с именем %q (их покажет followup templates list)"},
	{"say who defines cadence %q", "укажите, кто задаёт серию %q"},
	{"a cadence named %q exists; remove it first (followup cadences remove %s) or pick another name",
		"серия с именем %q уже есть; сначала удалите её (followup cadences remove %s) или выберите другое имя"},
	{"no cadence named %q: none is defined yet; followup cadences add NAME STEP… defines one",
		"серии с именем %q нет: ни одной серии пока не задано; followup cadences add ИМЯ ШАГ… задаёт серию"},
	{"no cadence named %q; the cadences are: %s, … (followup cadences list shows them all)",
		"серии с именем %q нет; есть серии: %s, … (все покажет followup cadences list)"},
	{"no cadence named %q; the cadences are: %s", "серии с именем %q нет; есть серии: %s"},
	{"idempotency key %q already names another message", "ключ идемпотентности %q уже принадлежит другому сообщению"},
	{"%s status %q cannot confirm a message", "статус %[2]q канала %[1]s не может подтвердить сообщение"},
	{"%s message without a reference", "сообщение %s без ссылки"},

	// store: settings.
	{"unknown setting %q (one of: %s)", "неизвестная настройка %q (одна из: %s)"},
	{"setting %s: %q: %v", "настройка %s: %q: %v"},
	{"setting %s: %s", "настройка %s: %s"},

	// store: the database.
	{"DATABASE_URL is not a valid Postgres URL: %v", "DATABASE_URL — недопустимый URL Postgres: %v"},
	{"cannot reach Postgres at %s:%d (is it running? scripts/pg-ensure starts a local one)",
		"не удаётся связаться с Postgres по адресу %s:%d (он запущен? scripts/pg-ensure запускает локальный)"},
	{"%s: not found", "%s: не найдено"},
	{"The database is unavailable (%s)", "База данных недоступна (%s)"},
	{"Something went wrong on our side; nothing was changed. Please try again.",
		"У нас что-то пошло не так; ничего не изменено. Попробуйте ещё раз."},
}
