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
}

// reportCounts are the reports' messages with plural forms.
var reportCounts = []count{}
