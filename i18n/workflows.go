package i18n

// workflowTexts are what a follow-up tells people (package workflows, as
// followup.Phrase): its answers to a send, a cancel, a take-over or a
// snooze, its refusals, the notifications it sends its agent and the
// escalations it posts to the supervisors. Contact names, channel titles
// and provider codes come in as arguments; a name is never declined, so
// the Russian says "с контактом %s", "в канале %s".
var workflowTexts = []text{
	// The escalations' triggers (followup.EscalationTrigger.Words).
	{"a send was refused and nothing else was tried", "отправка была отклонена, а другого ничего не пробовали"},
	{"the window is closing and nothing was sent", "окно закрывается, а ничего не отправлено"},
	{"a message was not delivered", "сообщение не доставлено"},
	{"the customer replied and nobody answered", "клиент ответил, а ему никто не ответил"},

	// Escalations, take-over and snooze.
	{"VIP follow-up with %s on %s: %s, and nobody acted for %s (since %s).",
		"VIP-фоллоу-ап с контактом %s в канале %s: %s, и никто ничего не сделал за %s (с %s)."},
	{"Still needs a person (snoozed by <@%s>): %s", "Всё ещё нужен человек (откладывал <@%s>): %s"},
	{"Still needs a person: %s", "Всё ещё нужен человек: %s"},
	{"Agent: <@%s>.", "Агент: <@%s>."},
	{"They wrote: “%s”", "Клиент написал: «%s»"},
	{"snooze until a time in the future", "отложить можно только до момента в будущем"},
	{"an escalation can be snoozed at most %d days", "эскалацию можно отложить не больше чем на %d дн."},
	{"Nothing to snooze: the follow-up with %s on %s no longer needs a person.",
		"Откладывать нечего: фоллоу-апу с контактом %s в канале %s человек больше не нужен."},
	{"Snoozed until %s: if the follow-up with %s on %s still needs a person then, it is posted again.",
		"Отложено до %s: если фоллоу-апу с контактом %s в канале %s тогда всё ещё будет нужен человек, он появится здесь снова."},
	{"taking over needs the agent who takes it", "чтобы забрать фоллоу-ап, нужен агент, который его забирает"},
	{"<@%s> took over your follow-up with %s on %s.", "<@%s> забрал(а) ваш фоллоу-ап с контактом %s в канале %s."},
	{"You now have the follow-up with %s on %s (from <@%s>), and the conversation is assigned to you.",
		"Теперь фоллоу-ап с контактом %s в канале %s ваш (был у <@%s>), и разговор назначен на вас."},
	{"You now have the follow-up with %s on %s (from <@%s>); the conversation is assigned to you when a message opens it.",
		"Теперь фоллоу-ап с контактом %s в канале %s ваш (был у <@%s>); разговор назначится на вас, когда его откроет сообщение."},
	{"You now have the follow-up with %s on %s, and the conversation is assigned to you.",
		"Теперь фоллоу-ап с контактом %s в канале %s ваш, и разговор назначен на вас."},
	{"You now have the follow-up with %s on %s; the conversation is assigned to you when a message opens it.",
		"Теперь фоллоу-ап с контактом %s в канале %s ваш; разговор назначится на вас, когда его откроет сообщение."},
	{"No follow-up with %s is running; the conversation is assigned to you.",
		"Активного фоллоу-апа с контактом %s нет; разговор назначен на вас."},
	{":star: VIP %s (agent <@%s>): %s", ":star: VIP %s (агент <@%s>): %s"},
	{"Take over", "Забрать"},
	{"Snooze 1 h", "Отложить на 1 ч"},
	{"Snooze 4 h", "Отложить на 4 ч"},
	{"Snooze till tomorrow", "Отложить до завтра"},

	// The window, as the follow-up watches it.
	{"%s allows no further outbound message to %s until they write again. The follow-up has ended.",
		"%s не позволяет больше писать контакту %s, пока он не напишет сам. Фоллоу-ап завершён."},
	{"%s window with %s closes in %s (at %s); after that: %s.",
		"Окно %s с контактом %s закроется через %s (в %s); после этого: %s."},
	{"The window closes at %s; after that: %s.", "Окно закроется в %s; после этого: %s."},
	{"%s with %s: %s is no longer possible; now: %s.", "%s, контакт %s: %s больше нельзя; теперь: %s."},
	{"Free text", "Свободный текст"},
	{"Agent-written text (HUMAN_AGENT tag)", "Текст, написанный агентом (тег HUMAN_AGENT)"},
	{"Template only", "Только шаблон"},
	{"Message tag only", "Только с тегом сообщения"},
	{"Chatbot message (billable)", "Сообщение чат-бота (платное)"},
	{"Nothing until the customer writes", "Ничего, пока клиент не напишет"},

	// A send's checks (the update's validators).
	{"a cadence needs the agent who starts it", "для серии нужен агент, который её запускает"},
	{"a send needs the sending agent", "для отправки нужен агент, который отправляет"},
	{"nothing to send: give a text or a template", "отправлять нечего: укажите текст или шаблон"},
	{"the text is %d bytes; the limit is %d", "длина текста — %d байт, а можно не больше %d"},
	{"%q is not a message tag an agent may pick (one of ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)",
		"%q — не тег сообщения, который может выбрать агент (один из ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)"},
	{"a follow-up can be scheduled at most %d days ahead", "фоллоу-ап можно запланировать не больше чем на %d дн. вперёд"},
	{"a fallback needs a template or a tag", "для запасного варианта нужен шаблон или тег"},
	{"a tag fallback sends the text with the tag: give a text", "запасной вариант с тегом отправляет текст с этим тегом: укажите текст"},
	{"this follow-up has ended (%s); start a new one", "этот фоллоу-ап завершён (%s); начните новый"},
	{"a cadence needs a name", "у серии должно быть имя"},
	{"a cadence has 1 to %d touches; %s has %d", "в серии от 1 до %d касаний; в %s их %d"},
	{"the cadence %s is running on this follow-up (touch %d of %d reached); cancel the follow-up first to start another",
		"в этом фоллоу-апе уже идёт серия %s (пройдено касаний: %d из %d); чтобы начать другую, сначала отмените фоллоу-ап"},
	{"touch %d of %s comes no later than the one before it", "касание %d серии %s не позже предыдущего"},
	{"touch %d of %s is more than %d days ahead", "касание %d серии %s дальше чем на %d дн. вперёд"},
	{"touch %d of %s has nothing to send", "в касании %d серии %s нечего отправлять"},
	{"touch %d of %s: the text is %d bytes; the limit is %d", "касание %d серии %s: длина текста — %d байт, а можно не больше %d"},
	{"touch %d of %s has a tag an agent may not pick", "в касании %d серии %s тег, который агент выбрать не может"},
	{"this follow-up cannot run cadences", "этот фоллоу-ап не умеет запускать серии"},

	// What a send did.
	{"Scheduled for %s. A reply from the customer before then cancels it.",
		"Запланировано на %s. Если клиент ответит раньше, отправка отменится."},
	{"The cadence %s stopped after touch %d of %d.", "Серия %s остановлена после касания %d из %d."},
	{"Conversation with %s closed; the follow-up on %s has ended.", "Разговор с контактом %s закрыт; фоллоу-ап в канале %s завершён."},
	{"%s replied on %s.", "%s ответил(а) в канале %s."},
	{"%s replied on %s: “%s”.", "%s ответил(а) в канале %s: «%s»."},
	{"Now: %s.", "Теперь: %s."},
	{"Now: %s until %s.", "Теперь: %s до %s."},
	{"The cadence %s stopped after touch %d of %d; the other %d will not be sent.",
		"Серия %s остановлена после касания %d из %d; остальные (%d) отправлены не будут."},
	{"%s did not deliver a message (%s %s).", "%s не доставил сообщение (%s %s)."},
	{"%s could not deliver your message to %s: the window is closed (%s %s). Now: %s.",
		"%s не смог доставить ваше сообщение контакту %s: окно закрыто (%s %s). Теперь: %s."},
	{"%s cannot be reached on %s any more (%s %s). The follow-up has ended; try another channel.",
		"С контактом %s больше нельзя связаться в канале %s (%s %s). Фоллоу-ап завершён; попробуйте другой канал."},
	{"%s could not deliver your message to %s (%s %s).", "%s не смог доставить ваше сообщение контакту %s (%s %s)."},
	{"the follow-up is ending", "фоллоу-ап завершается"},
	{"Nothing was sent: %s. %s", "Ничего не отправлено: %s. %s"},
	{"Could not reopen the conversation: %s", "Не удалось заново открыть разговор: %s"},
	{"Sent to %s on %s as %s.", "Отправлено контакту %s в канале %s: %s."},
	{"Sent to %s on %s as %s (the fallback; %s).", "Отправлено контакту %s в канале %s: %s (запасной вариант; %s)."},
	{"%s until %s, then %s.", "%s до %s, потом — %s."},
	{"%s can also be reached on %s.", "С контактом %s можно связаться и так: %s."},
	{"No fallback fits.", "Ни один запасной вариант не подходит."},
	{"your text with the %s tag", "ваш текст с тегом %s"},
	{"The fallback tag %s cannot be used either: %s", "Запасной тег %s тоже нельзя использовать: %s"},
	{"The fallback template cannot be used: %s", "Запасной шаблон использовать нельзя: %s"},
	{"The fallback template %s cannot be used either: %s", "Запасной шаблон %s тоже нельзя использовать: %s"},
	{"the approved template %s instead of your text", "одобренный шаблон %s вместо вашего текста"},
	{"Your message to %s on %s may not have been sent: %s, so it was not sent again. Check the conversation; if it did not arrive, send it again (a new request sends it once more).",
		"Ваше сообщение контакту %s в канале %s, возможно, не отправилось: %s, поэтому повторно оно не отправлялось. Проверьте разговор; если сообщения там нет, отправьте его снова (новый запрос отправит его ещё раз)."},
	{"%s refused the message: the window is closed (%s). Now: %s.", "%s отклонил сообщение: окно закрыто (%s). Теперь: %s."},
	{"%s cannot be reached on %s any more (%s). The follow-up has ended; try another channel.",
		"С контактом %s больше нельзя связаться в канале %s (%s). Фоллоу-ап завершён; попробуйте другой канал."},
	{"%s did not accept the message: %s.", "%s не принял сообщение: %s."},
	{"The message to %s on %s could not be sent after retrying (%s). Nothing was sent; try again later.",
		"Сообщение контакту %s в канале %s не удалось отправить и после повторных попыток (%s). Ничего не отправлено; попробуйте позже."},
	{"Cadence %s, touch %d of %d: %s", "Серия %s, касание %d из %d: %s"},
	{"That was the cadence's last touch.", "Это было последнее касание серии."},

	// Quiet hours.
	{"Your scheduled message", "Ваше запланированное сообщение"},
	{"Touch %d of the cadence %s", "Касание %d серии %s"},
	{"%s to %s on %s falls in their night (%s, quiet hours %s): it waits until %s.",
		"%s контакту %s в канале %s приходится на ночь у клиента (%s, тихие часы %s): оно подождёт до %s."},
	{"But the window closes first, at %s; then: %s. Send it now (/followup send) if it should go as %s tonight; otherwise it goes in the morning as the rules allow then.",
		"Но окно закроется раньше, в %s; потом: %s. Отправьте сейчас (/followup send), если оно должно уйти как %s этой ночью; иначе оно уйдёт утром в том виде, который тогда позволят правила."},

	// The client's errors (package workflows, client.go).
	{"no follow-up is running for this contact on that channel", "у этого контакта нет активного фоллоу-апа в этом канале"},
	{"Temporal is unavailable, so nothing was changed. Try again in a minute.",
		"Temporal недоступен, поэтому ничего не изменилось. Попробуйте через минуту."},
	{"Temporal did not answer in time; the request may or may not have been carried out. Check with `followup status` before trying again.",
		"Temporal не ответил вовремя; запрос мог выполниться, а мог и нет. Проверьте через `followup status`, прежде чем пробовать снова."},
	{"agent %q is not a Slack user id", "агент %q — не id пользователя Slack"},
	{"The follow-up has your request and is still sending it (the provider is slow to answer); you will get the outcome as a direct message.",
		"Фоллоу-ап получил ваш запрос и всё ещё отправляет сообщение (провайдер отвечает медленно); результат придёт вам личным сообщением."},
	{"digest_time %q: want HH:MM or off", "digest_time %q: нужно ЧЧ:ММ или off"},

	// The activities' errors.
	{"%s has no %s address", "у контакта %s нет адреса в канале %s"},
}

// workflowCounts are the follow-up's texts with a count in them.
var workflowCounts = []count{
	{key: "Cadence %s started: %d touch(es), at %s. Each is sent in the form the channel allows then; a reply from the customer stops the rest.", arg: 2,
		ru: [3]string{
			"Серия %s запущена: %d касание, в %s. Каждое уйдёт в том виде, который канал тогда позволит; ответ клиента останавливает остальные.",
			"Серия %s запущена: %d касания, в %s. Каждое уйдёт в том виде, который канал тогда позволит; ответ клиента останавливает остальные.",
			"Серия %s запущена: %d касаний, в %s. Каждое уйдёт в том виде, который канал тогда позволит; ответ клиента останавливает остальные."}},
	{key: "Follow-up with %s on %s cancelled (%d scheduled message(s) dropped).", arg: 3,
		ru: [3]string{
			"Фоллоу-ап с контактом %s в канале %s отменён (снято %d запланированное сообщение).",
			"Фоллоу-ап с контактом %s в канале %s отменён (снято %d запланированных сообщения).",
			"Фоллоу-ап с контактом %s в канале %s отменён (снято %d запланированных сообщений)."}},
	{key: "Your %d scheduled follow-up(s) were cancelled; send again if still needed.", arg: 1,
		ru: [3]string{
			"Ваш %d запланированный фоллоу-ап отменён; отправьте снова, если он ещё нужен.",
			"Ваши %d запланированных фоллоу-апа отменены; отправьте снова, если они ещё нужны.",
			"Ваши %d запланированных фоллоу-апов отменены; отправьте снова, если они ещё нужны."}},
}
