package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MaxTextBytes)
	tests := []struct {
		in   string
		want Command
		// err, when set, is a substring of the error message; the usage line
		// of the verb is checked separately.
		err string
	}{
		// help
		{in: "", want: Command{Verb: VerbHelp}},
		{in: "   \t\n ", want: Command{Verb: VerbHelp}},
		{in: "help", want: Command{Verb: VerbHelp}},
		{in: "HELP", want: Command{Verb: VerbHelp}},
		{in: "help send --whatever", want: Command{Verb: VerbHelp}},
		{in: "--help", want: Command{Verb: VerbHelp}},
		{in: "frobnicate 42", err: `"frobnicate" is not a /followup command`},
		{in: "--via whatsapp", err: `"--via" is not a /followup command`},

		// find
		{in: "find jane", want: Command{Verb: VerbFind, Query: "jane", Inbox: InboxAll, Status: StatusClosed}},
		{in: "Find Jane Doe", want: Command{Verb: VerbFind, Query: "Jane Doe", Inbox: InboxAll, Status: StatusClosed}},
		{in: `find "Jane   Doe"`, want: Command{Verb: VerbFind, Query: "Jane   Doe", Inbox: InboxAll, Status: StatusClosed}},
		{in: "find --mine --open jane", want: Command{Verb: VerbFind, Query: "jane", Inbox: InboxMine, Status: StatusOpen}},
		{in: "find jane --any", want: Command{Verb: VerbFind, Query: "jane", Inbox: InboxAll, Status: StatusAny}},
		{in: "find jane --MINE doe", want: Command{Verb: VerbFind, Query: "jane doe", Inbox: InboxMine, Status: StatusClosed}},
		{in: "find jane --mine --mine", want: Command{Verb: VerbFind, Query: "jane", Inbox: InboxMine, Status: StatusClosed}},
		{in: "find +1 (415) 555-0142", want: Command{Verb: VerbFind, Query: "+1 (415) 555-0142", Inbox: InboxAll, Status: StatusClosed}},
		{in: "find", err: "Say what to find"},
		{in: "find --mine", err: "Say what to find"},
		{in: `find ""`, err: "Say what to find"},
		{in: "find jane --mine --all", err: "Use only one of --mine and --all."},
		{in: "find jane --open --closed", err: "Use only one of --open and --closed."},
		{in: "find jane --mine=yes", err: "--mine takes no value."},
		{in: "find jane --via sms", err: "--via is not a flag of find"},
		{in: "find jane —mine", want: Command{Verb: VerbFind, Query: "jane", Inbox: InboxMine, Status: StatusClosed}},

		// send
		{in: "send jane@example.com Hello there", want: Command{Verb: VerbSend, Contact: "jane@example.com", Text: "Hello there"}},
		{in: "send #42   Hello    there  ", want: Command{Verb: VerbSend, Contact: "#42", Text: "Hello there"}},
		{in: `send "Jane Doe" Hi Jane`, want: Command{Verb: VerbSend, Contact: "Jane Doe", Text: "Hi Jane"}},
		{in: `send 'Jane Doe' Hi`, want: Command{Verb: VerbSend, Contact: "Jane Doe", Text: "Hi"}},
		{in: `send “Jane Doe” Hi`, want: Command{Verb: VerbSend, Contact: "Jane Doe", Text: "Hi"}},
		{in: `send ‘Jane O’Brien’ Hi`, want: Command{Verb: VerbSend, Contact: "Jane O’Brien", Text: "Hi"}},
		{in: `send ”Jane Doe” Hi`, want: Command{Verb: VerbSend, Contact: "Jane Doe", Text: "Hi"}},
		{in: `send "+1 (415) 555-0142" Hi`, want: Command{Verb: VerbSend, Contact: "+1 (415) 555-0142", Text: "Hi"}},
		{in: "send 42 --via whatsapp Hi", want: Command{Verb: VerbSend, Contact: "42", Via: followup.WhatsApp, Text: "Hi"}},
		{in: "send 42 --via=whatsapp Hi", want: Command{Verb: VerbSend, Contact: "42", Via: followup.WhatsApp, Text: "Hi"}},
		{in: `send 42 --via="sms" Hi`, want: Command{Verb: VerbSend, Contact: "42", Via: followup.SMS, Text: "Hi"}},
		{in: "send --via sms 42 Hi", want: Command{Verb: VerbSend, Contact: "42", Via: followup.SMS, Text: "Hi"}},
		{in: "send 42 Hi there --via WhatsApp", want: Command{Verb: VerbSend, Contact: "42", Via: followup.WhatsApp, Text: "Hi there"}},
		{in: "send 42 Hi --via sms there", want: Command{Verb: VerbSend, Contact: "42", Via: followup.SMS, Text: "Hi there"}},
		{in: "send 42 —via sms Hi", want: Command{Verb: VerbSend, Contact: "42", Via: followup.SMS, Text: "Hi"}},
		{in: "send 42 --via messenger --tag post_purchase_update Shipped", want: Command{Verb: VerbSend, Contact: "42", Via: followup.Messenger, Tag: followup.TagPostPurchaseUpdate, Text: "Shipped"}},
		{in: "send 42 --tag=Account-Update Your plan changed", want: Command{Verb: VerbSend, Contact: "42", Tag: followup.TagAccountUpdate, Text: "Your plan changed"}},
		{in: "send 42 --via sms --via sms Hi", want: Command{Verb: VerbSend, Contact: "42", Via: followup.SMS, Text: "Hi"}},
		{in: "send 42 -- thanks", want: Command{Verb: VerbSend, Contact: "42", Text: "-- thanks"}},
		{in: "send 42 Thanks -Jane", want: Command{Verb: VerbSend, Contact: "42", Text: "Thanks -Jane"}},
		{in: "send 42 Thanks —Jane", want: Command{Verb: VerbSend, Contact: "42", Text: "Thanks —Jane"}},
		{in: "send 42 save --50% today", want: Command{Verb: VerbSend, Contact: "42", Text: "save --50% today"}},
		{in: `send 42 write "--via" in the box`, want: Command{Verb: VerbSend, Contact: "42", Text: `write "--via" in the box`}},
		{in: `send 42 Your "premium" plan is live`, want: Command{Verb: VerbSend, Contact: "42", Text: `Your "premium" plan is live`}},
		{in: `send 42 "Hello   there"`, want: Command{Verb: VerbSend, Contact: "42", Text: "Hello   there"}},
		{in: `send 42 I don't know, it's 'fine`, want: Command{Verb: VerbSend, Contact: "42", Text: `I don't know, it's 'fine`}},
		{in: "send 42 I don’t know", want: Command{Verb: VerbSend, Contact: "42", Text: "I don’t know"}},
		{in: "send 42 " + long, want: Command{Verb: VerbSend, Contact: "42", Text: long}},
		{in: "send 42 " + long + "b", err: "The message is 4097 bytes; the limit is 4096."},
		{in: "send", err: "Say which contact"},
		{in: "send --via sms", err: "Say which contact"},
		{in: `send "" Hi`, err: "Say which contact"},
		{in: "send 42", err: "Add the message text"},
		{in: "send 42 --via sms", err: "Add the message text"},
		{in: `send 42 ""`, err: "Add the message text"},
		{in: "send 42 --via carrier-pigeon Hi", err: `"carrier-pigeon" is not a channel; use one of whatsapp, messenger`},
		{in: "send 42 Hi --via", err: "--via needs a channel"},
		{in: "send 42 --via --tag ACCOUNT_UPDATE Hi", err: "--via needs a channel"},
		{in: "send 42 --via= Hi", err: "--via needs a channel"},
		{in: "send 42 --via sms --via email Hi", err: "--via is given twice (sms and email)"},
		{in: "send 42 --tag Hi", err: `"Hi" is not a message tag`},
		{in: "send 42 --tag HUMAN_AGENT Hi", err: "HUMAN_AGENT is applied automatically"},
		{in: "send 42 --tag", err: "--tag needs a message tag"},
		{in: "send 42 --urgent Hi", err: `--urgent is not a flag of send; to write it as text, quote it: "--urgent".`},
		{in: "send 42 Hi --mine", err: "--mine is not a flag of send"},

		// template
		{in: "template 42 order_update", want: Command{Verb: VerbTemplate, Contact: "42", Template: "order_update"}},
		{in: "template 42 order_update name=Jane order=A-17", want: Command{Verb: VerbTemplate, Contact: "42", Template: "order_update",
			Params: []TemplateParam{{"name", "Jane"}, {"order", "A-17"}}}},
		{in: "template 42 order_update order=A-17 name=Jane", want: Command{Verb: VerbTemplate, Contact: "42", Template: "order_update",
			Params: []TemplateParam{{"order", "A-17"}, {"name", "Jane"}}}},
		{in: `template "Jane Doe" order_update name="Jane Doe" note=a=b --via=whatsapp`, want: Command{Verb: VerbTemplate, Contact: "Jane Doe",
			Template: "order_update", Via: followup.WhatsApp, Params: []TemplateParam{{"name", "Jane Doe"}, {"note", "a=b"}}}},
		{in: `template 42 --via whatsapp order_update name=“Jane Doe”`, want: Command{Verb: VerbTemplate, Contact: "42",
			Template: "order_update", Via: followup.WhatsApp, Params: []TemplateParam{{"name", "Jane Doe"}}}},
		{in: `template 42 order_update "name=Jane Doe"`, want: Command{Verb: VerbTemplate, Contact: "42",
			Template: "order_update", Params: []TemplateParam{{"name", "Jane Doe"}}}},
		{in: "template 42 order_update 1=Jane 2=A-17", want: Command{Verb: VerbTemplate, Contact: "42",
			Template: "order_update", Params: []TemplateParam{{"1", "Jane"}, {"2", "A-17"}}}},
		{in: "template", err: "Say which contact"},
		{in: "template 42", err: "Name the template"},
		{in: `template 42 ""`, err: "Name the template"},
		{in: `template 42 "" name=Jane`, err: "Name the template"},
		{in: "template 42 order_update Jane", err: `"Jane" is not a parameter; write parameters as name=value`},
		{in: "template 42 order_update =Jane", err: `"=Jane" has no parameter name`},
		{in: "template 42 order_update name=", err: "Parameter name has no value"},
		{in: "template 42 order_update name=a name=b", err: "Parameter name is given twice"},
		{in: "template 42 order_update --tag ACCOUNT_UPDATE", err: "--tag is not a flag of template"},
		{in: "template 42 order_update --via telepathy", err: `"telepathy" is not a channel`},
		// template --at: scheduled, as the modal's When does
		{in: "template carlos order_update 1=Carlos 2=A-17 --at 2d", want: Command{Verb: VerbTemplate, Contact: "carlos", Template: "order_update",
			Params: []TemplateParam{{"1", "Carlos"}, {"2", "A-17"}}, At: now.Add(48 * time.Hour)}},
		{in: "template 42 --at=2026-03-02T09:00:00Z order_update", want: Command{Verb: VerbTemplate, Contact: "42", Template: "order_update",
			At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}},
		{in: "template 42 order_update --at 91d", err: `"91d" is too far ahead; --at schedules at most 90 days ahead.`},
		{in: "template 42 order_update --at tomorrow", err: `"tomorrow" is not a time`},
		{in: "template 42 order_update --at 0m", err: "is not in the future"},
		{in: "template 42 order_update --at", err: "--at needs a time"},
		{in: "template 42 order_update --at 1h --at 2h", err: "--at is given twice"},

		// later
		{in: "later 42 30m Checking in", want: Command{Verb: VerbLater, Contact: "42", At: now.Add(30 * time.Minute), Text: "Checking in"}},
		{in: "later 42 4h Checking in", want: Command{Verb: VerbLater, Contact: "42", At: now.Add(4 * time.Hour), Text: "Checking in"}},
		{in: "later 42 3d Checking in", want: Command{Verb: VerbLater, Contact: "42", At: now.Add(72 * time.Hour), Text: "Checking in"}},
		{in: "later 42 4H Checking in", want: Command{Verb: VerbLater, Contact: "42", At: now.Add(4 * time.Hour), Text: "Checking in"}},
		{in: "later 42 90d Checking in", want: Command{Verb: VerbLater, Contact: "42", At: now.Add(MaxLater), Text: "Checking in"}},
		{in: "later 42 2160h Checking in", want: Command{Verb: VerbLater, Contact: "42", At: now.Add(MaxLater), Text: "Checking in"}},
		{in: "later 42 2026-03-02T09:00:00+02:00 Checking in", want: Command{Verb: VerbLater, Contact: "42",
			At: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), Text: "Checking in"}},
		{in: "later 42 2026-03-01T12:00:01Z Soon", want: Command{Verb: VerbLater, Contact: "42", At: now.Add(time.Second), Text: "Soon"}},
		{in: `later "Jane Doe" 1d "See you tomorrow"`, want: Command{Verb: VerbLater, Contact: "Jane Doe", At: now.Add(24 * time.Hour), Text: "See you tomorrow"}},
		{in: "later 42 91d Checking in", err: `"91d" is too far ahead; later schedules at most 90 days ahead.`},
		{in: "later 42 2161h Checking in", err: "too far ahead"},
		{in: "later 42 99999999999d Checking in", err: `"99999999999d" is not a time`},
		{in: "later 42 2026-06-01T12:00:01Z Checking in", err: "too far ahead"},
		{in: "later 42 0m Checking in", err: `"0m" is not in the future`},
		{in: "later 42 2026-03-01T12:00:00Z Now", err: "is in the past"},
		{in: "later 42 2025-12-24T09:00:00Z Merry", err: "2025-12-24T09:00:00Z is in the past"},
		{in: "later 42 tomorrow Checking in", err: `"tomorrow" is not a time; use 30m, 4h, 3d or an RFC 3339 time`},
		{in: "later 42 -5m Checking in", err: `"-5m" is not a time`},
		{in: "later 42 1w Checking in", err: `"1w" is not a time`},
		{in: "later 42 2026-03-02 Checking in", err: "is not a time"},
		{in: "later 42 4h", err: "Add the message text"},
		{in: "later 42", err: "Say when to send it"},
		{in: "later", err: "Say which contact"},
		{in: "later 42 4h --via sms Hi", want: Command{Verb: VerbLater, Contact: "42", Via: followup.SMS, At: now.Add(4 * time.Hour), Text: "Hi"}},
		{in: "later 42 4h Hi --tag ACCOUNT_UPDATE", err: "--tag is not a flag of later"},

		// later with a fallback
		{in: `later jane 30h "Checking in" --else-template renewal`, want: Command{Verb: VerbLater, Contact: "jane", At: now.Add(30 * time.Hour),
			Text: "Checking in", ElseTemplate: "renewal"}},
		{in: `later jane 30h Checking in --else-template order_update 1=Jane 2="A 17"`, want: Command{Verb: VerbLater, Contact: "jane",
			At: now.Add(30 * time.Hour), Text: "Checking in", ElseTemplate: "order_update", ElseParams: []string{"Jane", "A 17"}}},
		{in: `later jane 30h --else-template=order_update 2=A-17 1=Jane Checking in`, want: Command{Verb: VerbLater, Contact: "jane",
			At: now.Add(30 * time.Hour), Text: "Checking in", ElseTemplate: "order_update", ElseParams: []string{"Jane", "A-17"}}},
		{in: `later jane 30h --else-template renewal "1=one" more`, want: Command{Verb: VerbLater, Contact: "jane",
			At: now.Add(30 * time.Hour), Text: `"1=one" more`, ElseTemplate: "renewal"}},
		{in: `later jane 30h Hi —else-template renewal 1=“Jane Doe”`, want: Command{Verb: VerbLater, Contact: "jane",
			At: now.Add(30 * time.Hour), Text: "Hi", ElseTemplate: "renewal", ElseParams: []string{"Jane Doe"}}},
		{in: `later jane 30h Hi --else-template renewal --via WhatsApp`, want: Command{Verb: VerbLater, Contact: "jane",
			At: now.Add(30 * time.Hour), Text: "Hi", ElseTemplate: "renewal", Via: followup.WhatsApp}},
		{in: "later tom 8d Your order has shipped --else-tag post-purchase-update", want: Command{Verb: VerbLater, Contact: "tom",
			At: now.Add(8 * 24 * time.Hour), Text: "Your order has shipped", ElseTag: followup.TagPostPurchaseUpdate}},
		{in: "later tom 8d Shipped --via messenger --else-tag=ACCOUNT_UPDATE", want: Command{Verb: VerbLater, Contact: "tom",
			At: now.Add(8 * 24 * time.Hour), Text: "Shipped", Via: followup.Messenger, ElseTag: followup.TagAccountUpdate}},
		{in: "later 42 4h Hi --else-template", err: "--else-template needs an approved WhatsApp template"},
		{in: "later 42 4h Hi --else-template --via sms", err: "--else-template needs an approved WhatsApp template"},
		{in: `later 42 4h Hi --else-template "renewal please"`, err: `"renewal please" is not a template name`},
		{in: "later 42 4h Hi --else-template renewal 1=a 3=c", err: "numbered 1, 2, 3 … without gaps; 2 is missing"},
		{in: "later 42 4h Hi --else-template renewal 0=a", err: "numbered from 1"},
		{in: "later 42 4h Hi --else-template renewal 1=a 1=b", err: "Parameter 1 of --else-template is given twice"},
		{in: "later 42 4h Hi --else-template renewal 1=", err: "Parameter 1 of --else-template has no value"},
		{in: "later 42 4h --else-template renewal 1=a", err: "Add the message text"},
		{in: "later 42 4h Hi --else-template renewal --else-tag ACCOUNT_UPDATE", err: "Give one fallback"},
		{in: "later 42 4h Hi --else-template renewal --via sms", err: "--else-template names a WhatsApp template; SMS has no templates"},
		{in: "later 42 4h Hi --else-tag ACCOUNT_UPDATE --via whatsapp", err: "--else-tag names a Messenger tag; WhatsApp takes none"},
		{in: "later 42 4h Hi --else-tag HUMAN_AGENT", err: "HUMAN_AGENT is applied automatically"},
		{in: "later 42 4h Hi --else-tag NOPE", err: `"NOPE" is not a message tag`},
		{in: "later 42 4h Hi --else-tag", err: "--else-tag needs a message tag"},
		{in: "later 42 4h Hi --else-template a --else-template b", err: "--else-template is given twice"},

		// cadence, cadences
		{in: "cadence jane renewal", want: Command{Verb: VerbCadence, Contact: "jane", Cadence: "renewal"}},
		{in: `Cadence "Jane Doe" Renewal --via whatsapp`, want: Command{Verb: VerbCadence, Contact: "Jane Doe", Cadence: "Renewal", Via: followup.WhatsApp}},
		{in: "cadence --via=sms #42 trial-ending", want: Command{Verb: VerbCadence, Contact: "#42", Cadence: "trial-ending", Via: followup.SMS}},
		{in: "cadence", err: "Say which contact"},
		{in: "cadence jane", err: "Name the cadence to start"},
		{in: `cadence jane ""`, err: "Name the cadence to start"},
		{in: "cadence Jane Doe renewal", err: "cadence takes a contact and a cadence name"},
		{in: "cadence jane renewal --tag ACCOUNT_UPDATE", err: "--tag is not a flag of cadence"},
		{in: "cadence jane renewal --via pigeon", err: `"pigeon" is not a channel`},
		{in: "cadences", want: Command{Verb: VerbCadences}},
		{in: "CADENCES", want: Command{Verb: VerbCadences}},
		{in: "cadences renewal", err: "cadences takes no arguments."},
		{in: "cadences --via sms", err: "cadences takes no flags"},

		// status, cancel, close, vip
		{in: "status 42", want: Command{Verb: VerbStatus, Contact: "42"}},
		{in: "status +14155550142", want: Command{Verb: VerbStatus, Contact: "+14155550142"}},
		{in: `status "Jane Doe"`, want: Command{Verb: VerbStatus, Contact: "Jane Doe"}},
		{in: "cancel jane@example.com", want: Command{Verb: VerbCancel, Contact: "jane@example.com"}},
		{in: "close #42", want: Command{Verb: VerbClose, Contact: "#42"}},
		{in: "vip", want: Command{Verb: VerbVIP}},
		{in: "VIP", want: Command{Verb: VerbVIP}},
		{in: "status", err: "Say which contact"},
		{in: "status Jane Doe", err: `status takes one contact; quote a name with spaces, e.g. status "Jane Doe".`},
		{in: "close", err: "Say which contact"},
		{in: "cancel 42 --force", err: "cancel takes no flags, and --force is not one"},
		{in: "vip everyone", err: "vip takes no arguments."},
		{in: "vip --mine", err: "vip takes no flags"},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			got, err := ParseCommand(tt.in, now)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("ParseCommand(%q): %v", tt.in, err)
				}
				// At keeps the offset the agent wrote; compare instants.
				gotAt, wantAt := got.At, tt.want.At
				got.At, tt.want.At = time.Time{}, time.Time{}
				if !reflect.DeepEqual(got, tt.want) || !gotAt.Equal(wantAt) {
					got.At, tt.want.At = gotAt, wantAt
					t.Fatalf("ParseCommand(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseCommand(%q) = %#v, want error containing %q", tt.in, got, tt.err)
			}
			fe, ok := errors.AsType[*followup.Error](err)
			if !ok || fe.Code != followup.EInvalid {
				t.Fatalf("ParseCommand(%q) error %T %v, want *followup.Error EInvalid", tt.in, err, err)
			}
			if !strings.Contains(fe.Message, tt.err) {
				t.Fatalf("ParseCommand(%q) error\n%s\nwant it to contain %q", tt.in, fe.Message, tt.err)
			}
			if !reflect.DeepEqual(got, Command{}) {
				t.Errorf("ParseCommand(%q) returned %#v with an error", tt.in, got)
			}
		})
	}
}

// TestErrorMessageShape: one sentence, then the usage of the verb being typed
// (or the whole help for an unknown verb), so the bot can show it as is.
func TestErrorMessageShape(t *testing.T) {
	t.Parallel()
	for in, v := range map[string]Verb{
		"send 42":                    VerbSend,
		"find":                       VerbFind,
		"template 42":                VerbTemplate,
		"later 42 91d x":             VerbLater,
		"status":                     VerbStatus,
		"cancel":                     VerbCancel,
		"close":                      VerbClose,
		"vip x":                      VerbVIP,
		"send 42 --via pigeon hello": VerbSend,
		"cadence 42":                 VerbCadence,
		"cadences x":                 VerbCadences,
		"template 42 t --at 91d":     VerbTemplate,
		"later 42 4h hi --else-template renewal 2=x":                 VerbLater,
		"later 42 4h hi --else-template r --else-tag ACCOUNT_UPDATE": VerbLater,
	} {
		_, err := ParseCommand(in, now)
		msg := followup.ErrorMessage(err)
		sentence, usage, ok := strings.Cut(msg, "\n")
		if !ok || usage != "Usage: "+Usage(v) {
			t.Errorf("%q: message %q, want a sentence then %q", in, msg, "Usage: "+Usage(v))
		}
		if !strings.HasSuffix(sentence, ".") || strings.Contains(sentence, "\n") {
			t.Errorf("%q: first line %q is not one sentence", in, sentence)
		}
	}
	_, err := ParseCommand("frobnicate", now)
	if msg := followup.ErrorMessage(err); !strings.HasSuffix(msg, "\n"+Help()) {
		t.Errorf("unknown verb: message %q does not end with the help text", msg)
	}
}

func TestUsageAndHelp(t *testing.T) {
	t.Parallel()
	help := Help()
	for _, v := range Verbs {
		if !v.Valid() {
			t.Errorf("%s is not Valid", v)
		}
		u := Usage(v)
		synopsis, _, _ := strings.Cut(u, "  (")
		if !strings.HasPrefix(u, "/followup "+string(v)) || !strings.Contains(help, synopsis) {
			t.Errorf("Usage(%s) = %q does not match the help text", v, u)
		}
	}
	if Verb("nope").Valid() || Usage("nope") != help {
		t.Error(`Verb("nope") should be invalid and its usage the whole help`)
	}
	if len(Verbs) != len(specs) {
		t.Errorf("Verbs has %d entries, specs %d", len(Verbs), len(specs))
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []token
	}{
		{`a  "b c" d`, []token{{"a", "a", false}, {"b c", `"b c"`, true}, {"d", "d", false}}},
		{`x=“a b” y`, []token{{"x=a b", "x=“a b”", false}, {"y", "y", false}}},
		{`don't 'stop`, []token{{"don't", "don't", false}, {"'stop", "'stop", false}}},
		{`"a" "b`, []token{{"a", `"a"`, true}, {`"b`, `"b`, false}}},
		{`"" x`, []token{{"", `""`, true}, {"x", "x", false}}},
		{"a\u00a0b\u3000c", []token{{"a", "a", false}, {"b", "b", false}, {"c", "c", false}}},
		{"\xff \"\xfe\"", []token{{"\xff", "\xff", false}, {"\xfe", "\"\xfe\"", true}}},
	}
	for _, tt := range tests {
		if got := tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokenize(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
}

// TestTokenizeLinear: stray opening quotes must not make tokenizing quadratic.
func TestTokenizeLinear(t *testing.T) {
	t.Parallel()
	in := "send 42 " + strings.Repeat(`"a 'b “c ‘d `, MaxCommandBytes/16)
	start := time.Now()
	if _, err := ParseCommand(in, now); err == nil {
		t.Fatal("want the text-too-long error")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("parsing %d bytes of stray quotes took %s", len(in), d)
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"", "help", "find jane --mine --open", `send "Jane Doe" --via=whatsapp Hi -- thanks`,
		`send ‘Jane O’Brien’ --tag post_purchase_update Shipped`, "send 42 —via sms Hi",
		`template 42 order_update name="Jane Doe" note=a=b --via whatsapp`,
		"later 42 30m x", "later 42 2026-03-02T09:00:00+02:00 x", "later 42 91d x",
		"status 42", "cancel #42", "close +1 (415) 555-0142", "vip", "frobnicate",
		"send 42 \"\xff\" 'a", "find \"\" --any=",
		`later jane 30h "Checking in" --else-template renewal 1=Jane 2="A 17"`, "later 42 8d x --via messenger --else-tag post_purchase_update",
		"later 42 4h --else-template=r 2=b 1=a 3= x", `template carlos order_update 1=Carlos 2=A-17 --at 2d`,
		`cadence "Jane Doe" renewal --via whatsapp`, "cadences", "cadence 42 —via sms x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cmd, err := ParseCommand(in, now)
		if err != nil {
			fe, ok := errors.AsType[*followup.Error](err)
			if !ok || fe.Code != followup.EInvalid || strings.TrimSpace(fe.Message) == "" {
				t.Fatalf("ParseCommand(%q) error %T %v, want *followup.Error EInvalid with a message", in, err, err)
			}
			return
		}
		if !cmd.Verb.Valid() {
			t.Fatalf("ParseCommand(%q) verb %q", in, cmd.Verb)
		}
		if len(cmd.Text) > MaxTextBytes {
			t.Fatalf("ParseCommand(%q) text is %d bytes", in, len(cmd.Text))
		}
		if cmd.Via != "" {
			if _, err := followup.ParseChannel(string(cmd.Via)); err != nil {
				t.Fatalf("ParseCommand(%q) via %q", in, cmd.Via)
			}
		}
		if cmd.Tag != "" {
			if _, err := followup.ParseTag(string(cmd.Tag)); err != nil {
				t.Fatalf("ParseCommand(%q) tag %q", in, cmd.Tag)
			}
		}
		switch cmd.Verb {
		case VerbFind:
			if cmd.Query == "" || (cmd.Inbox != InboxMine && cmd.Inbox != InboxAll) ||
				(cmd.Status != StatusClosed && cmd.Status != StatusOpen && cmd.Status != StatusAny) {
				t.Fatalf("ParseCommand(%q) bad find %#v", in, cmd)
			}
		case VerbSend, VerbLater:
			if cmd.Contact == "" || strings.TrimSpace(cmd.Text) == "" {
				t.Fatalf("ParseCommand(%q) = %#v: missing contact or text", in, cmd)
			}
			if cmd.Verb == VerbLater && (!cmd.At.After(now) || cmd.At.Sub(now) > MaxLater) {
				t.Fatalf("ParseCommand(%q) at %s is out of range", in, cmd.At)
			}
			if cmd.ElseTemplate != "" && cmd.ElseTag != "" {
				t.Fatalf("ParseCommand(%q) = %#v: two fallbacks", in, cmd)
			}
			if len(cmd.ElseParams) > 0 && cmd.ElseTemplate == "" {
				t.Fatalf("ParseCommand(%q) = %#v: parameters without a template", in, cmd)
			}
			for _, p := range cmd.ElseParams {
				if strings.TrimSpace(p) == "" {
					t.Fatalf("ParseCommand(%q) = %#v: an empty parameter", in, cmd)
				}
			}
			if cmd.ElseTag != "" {
				if _, err := followup.ParseTag(string(cmd.ElseTag)); err != nil || cmd.Via != "" && cmd.Via != followup.Messenger {
					t.Fatalf("ParseCommand(%q) else tag %q via %q", in, cmd.ElseTag, cmd.Via)
				}
			}
			if cmd.ElseTemplate != "" && cmd.Via != "" && cmd.Via != followup.WhatsApp {
				t.Fatalf("ParseCommand(%q) else template via %q", in, cmd.Via)
			}
		case VerbTemplate:
			if cmd.Contact == "" || cmd.Template == "" {
				t.Fatalf("ParseCommand(%q) = %#v: missing contact or template", in, cmd)
			}
			for _, p := range cmd.Params {
				if p.Name == "" || p.Value == "" {
					t.Fatalf("ParseCommand(%q) param %#v", in, p)
				}
			}
			if !cmd.At.IsZero() && (!cmd.At.After(now) || cmd.At.Sub(now) > MaxLater) {
				t.Fatalf("ParseCommand(%q) at %s is out of range", in, cmd.At)
			}
		case VerbCadence:
			if cmd.Contact == "" || strings.TrimSpace(cmd.Cadence) == "" {
				t.Fatalf("ParseCommand(%q) = %#v: missing contact or cadence", in, cmd)
			}
		case VerbStatus, VerbCancel, VerbClose:
			if cmd.Contact == "" {
				t.Fatalf("ParseCommand(%q) = %#v: missing contact", in, cmd)
			}
		}
		if cmd.Verb != VerbLater && (cmd.ElseTemplate != "" || cmd.ElseTag != "" || cmd.ElseParams != nil) {
			t.Fatalf("ParseCommand(%q) = %#v: a fallback outside later", in, cmd)
		}
		// Words the agent typed survive: with valid UTF-8 in, text is valid too.
		if utf8.ValidString(in) && !utf8.ValidString(cmd.Text) {
			t.Fatalf("ParseCommand(%q) text %q is not valid UTF-8", in, cmd.Text)
		}
	})
}

// TestParseCommandDaysAndTimes: later and --at take a day and time in one,
// two or three words, read in the zone of now (the agent's Slack zone);
// words that do not make a time together stay the message.
func TestParseCommandDaysAndTimes(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	nowNY := now.In(ny) // Sunday, March 1, 7:00 in New York
	tests := []struct {
		in   string
		at   time.Time
		text string
		err  string
	}{
		{in: "later 42 tomorrow 9:00 Checking in", at: time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), text: "Checking in"},
		{in: "later 42 mon 10am Checking in", at: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC), text: "Checking in"},
		{in: "later 42 Monday at 10:30 Checking in", at: time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC), text: "Checking in"},
		{in: "later 42 9am Hi", at: time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC), text: "Hi"},
		{in: "later 42 sun 9am Hi", at: time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC), text: "Hi"}, // today, still ahead
		{in: "later 42 sun 6am Hi", at: time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC), text: "Hi"}, // a week on, after the clocks went forward
		{in: "later 42 30m 10:00 works?", at: now.Add(30 * time.Minute), text: "10:00 works?"},
		{in: `later 42 tomorrow "9:00 sharp"`, err: `"tomorrow" is not a time`},
		{in: "later 42 today 6:00 Hi", err: "today 6:00 is in the past"},
		{in: "template 42 order_update --at tomorrow 9am name=Jane", at: time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)},
		{in: "template 42 order_update name=Jane --at fri 17:00", at: time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		cmd, err := ParseCommand(tt.in, nowNY)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: got %v, want an error with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !cmd.At.Equal(tt.at) || cmd.Text != tt.text {
			t.Errorf("%s: at %v, text %q; want %v, %q", tt.in, cmd.At.UTC(), cmd.Text, tt.at, tt.text)
		}
		if cmd.Verb == VerbTemplate && (len(cmd.Params) != 1 || cmd.Params[0].Value != "Jane") {
			t.Errorf("%s: params %+v", tt.in, cmd.Params)
		}
	}
}
