package i18n

// reportTexts are what followup reports rather than answers: the daily
// digest, the audit log, and the errors of what people write into
// cadences, contacts files and settings.
var reportTexts = []text{
	// The daily digest (followup.Digest.Phrase).
	{"Daily digest for %s (workspace, %s)", "Ежедневная сводка за %s (рабочее пространство, %s)"},
	{"Daily digest for %s (your follow-ups, %s)", "Ежедневная сводка за %s (ваши фоллоу-апы, %s)"},
	{"Running follow-ups: %d", "Активные фоллоу-апы: %d"},
	{"Running follow-ups: %d (%s)", "Активные фоллоу-апы: %d (%s)"},
	{"Windows closing today: %d", "Окна, закрывающиеся сегодня: %d"},
	{"Overdue VIP follow-ups: %d", "Просроченные VIP-фоллоу-апы: %d"},
	{"Escalated VIP follow-ups: %d", "VIP-фоллоу-апы с эскалацией: %d"},
	{"  %s (#%d) on %s, agent %s: %s", "  %s (#%d), канал %s, агент %s: %s"},
	{"  %s (#%d) on %s, agent %s ★ VIP: %s", "  %s (#%d), канал %s, агент %s, ★ VIP: %s"},
	{"closes at %s", "окно закрывается %s"},
	{"window closed %s", "окно закрылось %s"},
	{"escalated: %s", "эскалация: %s"},
	{"Yesterday's sends per channel: none", "Вчерашние отправки по каналам: нет"},
	{"Yesterday's sends per channel:", "Вчерашние отправки по каналам:"},
	{"  %s: %d sent, %d refused, %d failed", "  %s: отправлено %d, отклонено %d, не доставлено %d"},
	{"the time zone to show times in, an IANA name such as Europe/Berlin (default: the local zone, $TZ)",
		"часовой пояс, в котором показывать время, имя IANA, например Europe/Berlin (по умолчанию — местный пояс, $TZ)"},
	// Why a VIP follow-up was escalated (followup.EscalationTrigger).
	{"a send was refused and nothing else was tried", "отправку отклонили, а другого способа не пробовали"},
	{"the window is closing and nothing was sent", "окно закрывается, а ничего не отправлено"},
	{"a message was not delivered", "сообщение не доставлено"},
	{"the customer replied and nobody answered", "клиент ответил, а ему никто не ответил"},

	// A setting's value that cannot be read (store.SetSetting).
	{"want a whole number ≥ %d", "нужно целое число ≥ %d"},
	{"want true or false", "нужно true или false"},
	{"want a duration like 45m, 24h or 7d", "нужна длительность, например 45m, 24h или 7d"},
	{"want unassign or keep", "нужно unassign или keep"},
	{"want en or ru", "нужно en или ru"},
	{"%v, or off", "%v, либо off"},
	{"want a span like 21:00-08:00 (24-hour clock, in the contact's time zone), or %s",
		"нужен промежуток вида 21:00-08:00 (в 24-часовом формате, в часовом поясе контакта) или %s"},
	{"want a time like 09:00 (24-hour clock), or %s", "нужно время вида 09:00 (в 24-часовом формате) или %s"},
	{"want an IANA time zone name like Europe/Berlin or UTC", "нужно имя часового пояса IANA, например Europe/Berlin или UTC"},
	{"want a two-letter ISO 3166 country code like GB, US or DE, or %s (phone numbers must then have a country code)",
		"нужен двухбуквенный код страны ISO 3166, например GB, US или DE, или %s (тогда у телефонных номеров должен быть код страны)"},
	{"want a WhatsApp template's name, optionally with its language (renewal or renewal:en_US), or %s",
		"нужно имя шаблона WhatsApp, можно с языком (renewal или renewal:en_US), или %s"},
}

// reportCounts are the reports' messages with plural forms.
var reportCounts = []count{}
