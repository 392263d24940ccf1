package i18n

// setupTexts are what the command line says about its own setting up:
// configuration errors (cmd/followup's ConfigError, the environment
// variable first, as written) and `followup dev`'s banner. Variable names,
// commands and URLs stay as they are.
var setupTexts = []text{
	{"configuration error: %s\n", "ошибка конфигурации: %s\n"},
	{"%s is partly configured: set %s too (or none of them for the sandbox)",
		"%s настроен не полностью: задайте ещё %s (или ни одной из них для песочницы)"},
	{"the %s webhook needs %s", "для вебхука %s нужно задать: %s"},
	{"%q is not a postgres:// URL", "%q — не URL вида postgres://"},
	{"%q is not host:port (e.g. 127.0.0.1:8080)", "%q — не host:port (например, 127.0.0.1:8080)"},
	{"%q is not host:port (e.g. 127.0.0.1:9090)", "%q — не host:port (например, 127.0.0.1:9090)"},
	{"%q is not host:port (e.g. localhost:7233)", "%q — не host:port (например, localhost:7233)"},
	{"%q is not the http(s):// base URL of a Temporal Web UI (e.g. http://localhost:8233)",
		"%q — не базовый http(s)://-адрес Temporal Web UI (например, http://localhost:8233)"},
	{"TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together; set both or neither",
		"TEMPORAL_TLS_CERT и TEMPORAL_TLS_KEY задаются вместе: обе или ни одной"},
	{"%q is not a log format: write text or json", "%q — не формат журнала: укажите text или json"},
	{"%q is not an http(s):// URL (e.g. https://followup.example.com)", "%q — не http(s)://-адрес (например, https://followup.example.com)"},
	{"%q is not a number of workflows", "%q — не число воркфлоу"},
	{"%q is not a duration of a second or more", "%q — не длительность от секунды"},
	{"%q must start with /", "значение %q должно начинаться с /"},
	{"%q is not an http(s) URL", "%q — не http(s)-адрес"},
	{"a bot token starts with xoxb-", "токен бота начинается с xoxb-"},
	{"an app-level token (Socket Mode) starts with xapp-", "токен уровня приложения (Socket Mode) начинается с xapp-"},
	{"%q is not a log level: write debug, info, warn or error", "%q — не уровень журнала: укажите debug, info, warn или error"},
	{"required for `followup worker` (host:port of the Temporal frontend)", "нужна для `followup worker` (host:port фронтенда Temporal)"},
	{"cannot listen on %s: %v", "не удаётся слушать %s: %v"},
	{"required with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN (the bot's xoxb- token)",
		"нужна вместе с SLACK_SIGNING_SECRET или SLACK_APP_TOKEN (токен бота xoxb-)"},
	{"required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)",
		"нужна вместе с SLACK_BOT_TOKEN (или задайте SLACK_APP_TOKEN для Socket Mode)"},
	{"not set, and %s cannot be read (%v); is `followup dev` running with the same FOLLOWUP_DATA_DIR?",
		"не задана, а %s не читается (%v); запущен ли `followup dev` с тем же FOLLOWUP_DATA_DIR?"},
	{"cannot load the key pair: %v", "не удаётся загрузить пару ключей: %v"},

	// followup dev.
	{"worker polling task queue %q on %s (namespace %s)\n", "воркер опрашивает очередь задач %q на %s (пространство имён %s)\n"},
	{"\nstopping…\n", "\nостанавливаюсь…\n"},
	{"sandbox for %s:\n             outbound messages go to local fake providers (followup outbox lists them,\n             and each is logged here); followup reply posts a signed webhook as the\n             provider would",
		"песочница для %s:\n             исходящие сообщения уходят локальным имитациям провайдеров (их показывает\n             followup outbox, и каждое пишется сюда); followup reply шлёт подписанный\n             вебхук, как это сделал бы провайдер"},
	{"all ten configured", "все десять настроены"},
	{"\nfollowup dev is running.\n  Temporal   %s (namespace %s; data in %s)%s\n  HTTP       http://%s/healthz\n  Postgres   %s\n  Slack      %s\n  Channels   %s\n\nTry it from another terminal:\n",
		"\nfollowup dev запущен.\n  Temporal   %s (пространство имён %s; данные в %s)%s\n  HTTP       http://%s/healthz\n  Postgres   %s\n  Slack      %s\n  Каналы     %s\n\nПопробуйте из другого терминала:\n"},
	{"  followup slash \"find jane\"                       the Slack command, signed and posted as Slack would\n  followup slash \"send jane.doe@demo.followup.dev Your refund has landed\"\n  followup slash --user U0DEMOIRA \"find jane\"      the same for an agent whose Slack speaks Russian\n  followup slash --user U0DEMOSAM vip              the supervisor's running VIP follow-ups\n  followup contacts find jane --any                contacts named Jane, open or closed\n  followup send jane.doe@demo.followup.dev \"Your refund has landed\"          WhatsApp, free text\n  followup send carlos.ruiz@demo.followup.dev --via whatsapp \"Hi\"            refused: template only\n  followup template carlos.ruiz@demo.followup.dev order_update 1=Carlos 2=A-17\n  followup send tom.becker@demo.followup.dev --tag POST_PURCHASE_UPDATE \"Shipped\"\n  followup later \"Liam Murphy\" 2m \"Checking in\"    then: followup reply \"Liam Murphy\" webchat \"solved\"\n  followup status jane.doe@demo.followup.dev\n  followup outbox; followup notifications\n",
		"  followup slash \"find jane\"                       команда Slack, подписанная и отправленная, как это сделал бы Slack\n  followup slash \"send jane.doe@demo.followup.dev Your refund has landed\"\n  followup slash --user U0DEMOIRA \"find jane\"      то же для агента, чей Slack говорит по-русски\n  followup slash --user U0DEMOSAM vip              активные VIP-фоллоу-апы супервайзера\n  followup contacts find jane --any                контакты с именем Jane, открытые и закрытые\n  followup send jane.doe@demo.followup.dev \"Your refund has landed\"          WhatsApp, свободный текст\n  followup send carlos.ruiz@demo.followup.dev --via whatsapp \"Hi\"            отклонено: только шаблон\n  followup template carlos.ruiz@demo.followup.dev order_update 1=Carlos 2=A-17\n  followup send tom.becker@demo.followup.dev --tag POST_PURCHASE_UPDATE \"Shipped\"\n  followup later \"Liam Murphy\" 2m \"Checking in\"    затем: followup reply \"Liam Murphy\" webchat \"solved\"\n  followup status jane.doe@demo.followup.dev\n  followup outbox; followup notifications\n"},
	{"\nCtrl-C stops it; follow-ups resume at the next start.\n", "\nCtrl-C останавливает его; фоллоу-апы продолжатся при следующем запуске.\n"},
	{"loaded the demo workspace (agents U0DEMOANN and U0DEMOIRA, who reads Russian, supervisor U0DEMOSAM, contacts @demo.followup.dev)\n",
		"загружено демо-пространство (агенты U0DEMOANN и U0DEMOIRA, которая читает по-русски, супервайзер U0DEMOSAM, контакты @demo.followup.dev)\n"},
	{"Slack not configured", "Slack не настроен"},
	{"a local Slack workspace (try: followup slash \"find jane\")", "локальное пространство Slack (попробуйте: followup slash \"find jane\")"},
	{"Slack over /slack/* and Socket Mode", "Slack через /slack/* и Socket Mode"},
	{"Slack over Socket Mode", "Slack через Socket Mode"},
	{"Slack over /slack/commands, /slack/interactivity, /slack/events", "Slack через /slack/commands, /slack/interactivity, /slack/events"},
}

// cobraTexts are cobra's and pflag's errors (cmd/followup's cobraTexts
// match them in the English the libraries write).
var cobraTexts = []text{
	{"unknown flag: %s", "неизвестный флаг: %s"},
	{"unknown shorthand flag: '%s' in %s", "неизвестный короткий флаг: '%s' в %s"},
	{"flag needs an argument: %s", "флагу нужно значение: %s"},
	{"invalid argument %s for %s flag: %s", "недопустимое значение %s для флага %s: %s"},
	{"bad flag syntax: %s", "неверная запись флага: %s"},
	{"accepts %s arg(s), received %s", "принимает аргументов: %s, получено: %s"},
	{"accepts at most %s arg(s), received %s", "принимает не больше аргументов, чем %s, получено: %s"},
	{"requires at least %s arg(s), only received %s", "требует не меньше аргументов, чем %s, получено только: %s"},
	{"accepts between %s and %s arg(s), received %s", "принимает от %s до %s аргументов, получено: %s"},
	{"required flag(s) %s not set", "не заданы обязательные флаги: %s"},
}
