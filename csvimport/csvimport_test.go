package csvimport_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/csvimport"
	"github.com/followup-dev/followup/store"
)

func TestParse(t *testing.T) {
	in := "\ufefffirst_name,last_name,email,phone,vip,channel,external_id,last_inbound_at,conversation_status,assignee\n" +
		"Jane,Doe,jane@example.com,+1 415 555 0142,true,whatsapp,,2026-11-20T14:05:00Z,closed,U1\n" +
		"Bad,Phone,bad@example.com,415 555 0142,,,,,,\n" +
		"Bad,Vip,vip@example.com,,maybe,,,,,\n" +
		"Too,Few\n" +
		",,,,,,,,,\n" +
		"Bad,Time,t@example.com,,,telegram,123,yesterday,,\n" +
		"Bad,Channel,c@example.com,,,fax,1,,,\n" +
		"Dup,Email,JANE@example.com,,,,,,,\n" +
		"Bad,Status,s@example.com,,,,,,archived,\n" +
		"\"Quoted, Name\",Ok,q@example.com,,,telegram,42,,open,\n"
	rows, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 11 || len(rows[0].Lines) != 1 {
		t.Fatalf("rows: %+v", rows)
	}
	r := rows[0].Contact
	if r.VIP == nil || !*r.VIP || r.Channel != followup.WhatsApp || r.LastInboundAt == nil || r.ConvStatus != followup.Closed || r.AssigneeSlackID != "U1" {
		t.Fatalf("row 2: %+v", r)
	}
	if rows[1].Contact.FirstName != "Quoted, Name" {
		t.Fatalf("quoted: %+v", rows[1].Contact)
	}
	want := map[int]string{3: "country code", 4: "vip", 5: "fields", 7: "RFC 3339", 8: "unknown channel", 9: `the contact of line 2, whose first_name is "Jane", not "Dup"`, 10: "conversation_status"}
	if len(bad) != len(want) {
		t.Fatalf("bad rows: %+v", bad)
	}
	for _, b := range bad {
		if !strings.Contains(b.Reason, want[b.Line]) || want[b.Line] == "" {
			t.Errorf("line %d: %q, want it to mention %q", b.Line, b.Reason, want[b.Line])
		}
	}
}

func TestParseHeaderErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "empty",
		"first_name,nickname\nA,B":  `unknown column "nickname"`,
		"email,EMAIL\na@b.c,a@b.c":  "appears twice",
		"first_name,\"last\nA":      "header",
		"first_name,last_name,,x\n": "unknown column",
	} {
		_, _, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{})
		if err == nil || !strings.Contains(err.Error(), want) || followup.ErrorCodeOf(err) != followup.EInvalid {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("first_name,last_name,email,phone\nJane,Doe,jane@example.com,+14155550142\n")
	f.Add("email,channel,external_id,last_inbound_at\na@b.c,line,U1,2026-01-01T00:00:00Z\n")
	f.Add("first_name\n\"unterminated\n")
	f.Add("first_name,last_name\n\"Jane,Doe\nBob,O\"Neil\r\n\"Mary\nAnn\",X\n")
	f.Add("email,phone,channel,external_id\na@b.c,020 7946 0958,telegram,1\nA@B.C,,sms,\n,+442079460958,line,U4af4980629a0c8a6e0e7b7e4d5f3b2a1\n")
	f.Fuzz(func(t *testing.T, in string) {
		contacts, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{Region: "GB"})
		if err != nil {
			if followup.ErrorCodeOf(err) != followup.EInvalid {
				t.Fatalf("header error of the wrong kind: %v", err)
			}
			return
		}
		seen := map[int]bool{}
		once := func(line int) {
			if line < 2 || seen[line] {
				t.Fatalf("line %d reported twice or before the header (contacts %+v, bad %+v)", line, contacts, bad)
			}
			seen[line] = true
		}
		for _, c := range contacts {
			if len(c.Lines) == 0 || c.Lines[0] != c.Line {
				t.Fatalf("contact without its first line: %+v", c)
			}
			for _, l := range c.Lines {
				once(l)
			}
			if p := c.Contact.Phone; p != "" && (p[0] != '+' || store.Digits(p) != p[1:]) {
				t.Fatalf("phone %q is not E.164", p)
			}
		}
		for _, b := range bad {
			if b.Reason == "" {
				t.Fatalf("bad row without a reason: %+v", b)
			}
			once(b.Line)
		}
	})
}

// lines lists the first lines of contacts and the lines of bad rows.
func lines(cs []csvimport.Contact, bad []csvimport.RowError) (good, broken []int) {
	for _, c := range cs {
		good = append(good, c.Lines...)
	}
	for _, b := range bad {
		broken = append(broken, b.Line)
	}
	return good, broken
}

// TestParseKeepsRowsAfterBrokenQuote: a quote that is never closed, or a
// stray one, spoils its own row only; encoding/csv alone reads on to the
// end of the file for the closing quote (issue #9: "0 imported, 1 not
// imported").
func TestParseKeepsRowsAfterBrokenQuote(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		good, bad  []int
		reasonLine int
	}{
		{"unterminated quote on line 2", "first_name,last_name,email\n\"Ann,Lee,ann@example.com\nBo,Stone,bo@example.com\n", []int{3}, []int{2}, 2},
		{"unterminated quote, more rows", "first_name,last_name\nA,B\n\"C,D\nE,F\nG,H\n", []int{2, 4, 5}, []int{3}, 3},
		{"stray quote closed on a later line", "first_name,last_name\n\"Jane,Doe\nBob,O\"Neil\nCy,Young\n", []int{4}, []int{2, 3}, 2},
		{"stray quote inside a field", "first_name,last_name\nAnn,Le\"e\nBo,Stone\n", []int{3}, []int{2}, 2},
		{"CRLF and a multi-line quoted field", "first_name,last_name\r\n\"Mary\r\nAnn\",Smith\r\n\"Oops,X\r\nBo,Stone\r\n", []int{2, 5}, []int{4}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, bad, err := csvimport.Parse(strings.NewReader(tc.in), csvimport.Options{})
			if err != nil {
				t.Fatal(err)
			}
			good, broken := lines(cs, bad)
			if fmt.Sprint(good) != fmt.Sprint(tc.good) || fmt.Sprint(broken) != fmt.Sprint(tc.bad) {
				t.Fatalf("good lines %v, bad lines %v (%+v); want %v and %v", good, broken, bad, tc.good, tc.bad)
			}
			for _, b := range bad {
				if b.Line == tc.reasonLine && !strings.Contains(b.Reason, `"`) {
					t.Errorf("line %d: reason %q does not mention the quote", b.Line, b.Reason)
				}
			}
		})
	}
	// A multi-line quoted field is kept whole.
	cs, _, _ := csvimport.Parse(strings.NewReader("first_name,last_name\r\n\"Mary\r\nAnn\",Smith\r\n"), csvimport.Options{})
	if len(cs) != 1 || cs[0].Contact.FirstName != "Mary\r\nAnn" && cs[0].Contact.FirstName != "Mary\nAnn" {
		t.Errorf("multi-line field: %+v", cs)
	}
}

// TestParseLongLine: a line over the limit is reported and skipped.
func TestParseLongLine(t *testing.T) {
	in := "first_name,last_name\n" + strings.Repeat("x", csvimport.MaxLineBytes+10) + ",y\nBo,Stone\n"
	cs, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Line != 3 || len(bad) != 1 || bad[0].Line != 2 || !strings.Contains(bad[0].Reason, "longer") {
		t.Fatalf("contacts %+v bad %+v", cs, bad)
	}
}

// TestParseExternalIDs: each channel's id is checked as its provider (and
// the provider's fake) takes it (issue #9: a Telegram id "abc" was
// accepted).
func TestParseExternalIDs(t *testing.T) {
	cases := []struct {
		channel, id string
		want        string // the stored id, or the start of the error
		ok          bool
	}{
		{"telegram", "123456789", "123456789", true},
		{"telegram", "-100200300", "-100200300", true},
		{"telegram", "abc", "Telegram external_id \"abc\" is not a chat id", false},
		{"telegram", "0", "is not a chat id", false},
		{"telegram", "12.5", "is not a chat id", false},
		{"line", "U4af4980629a0c8a6e0e7b7e4d5f3b2a1", "U4af4980629a0c8a6e0e7b7e4d5f3b2a1", true},
		{"line", "Uabc", "LINE external_id \"Uabc\" is not a user id", false},
		{"line", "U4AF4980629A0C8A6E0E7B7E4D5F3B2A1", "is not a user id", false},
		{"whatsapp", "+1 (415) 555-0142", "+14155550142", true},
		{"whatsapp", "14155550142", "WhatsApp external_id \"14155550142\" needs a country code", false},
		{"sms", "+44 (0)20 7946 0958", "+442079460958", true},
		{"sms", "+1 555", "SMS external_id \"+1 555\" is not a valid +1 number", false},
		{"email", "Jane.Doe@Example.com", "jane.doe@example.com", true},
		{"email", "jane", "Email external_id \"jane\" is not an email address", false},
		{"messenger", "1254477777772919", "1254477777772919", true},
		{"messenger", "jane.doe", "Messenger external_id \"jane.doe\" is not a page-scoped id", false},
		{"instagram", "17841405309211844", "17841405309211844", true},
		{"instagram", "@jane", "is not an Instagram-scoped id", false},
		{"viber", "01234567890A=", "01234567890A=", true},
		{"viber", "a b", "Viber external_id \"a b\" is not a Viber user id", false},
		{"wechat", "oAbC-12_xyzXYZ0123456789abcd", "oAbC-12_xyzXYZ0123456789abcd", true},
		{"wechat", "o<script>", "WeChat external_id \"o<script>\" is not an openid", false},
		{"webchat", "v-0123456789abcdef", "v-0123456789abcdef", true},
		{"webchat", "v1", "Website chat external_id \"v1\" is not a visitor id", false},
	}
	for _, tc := range cases {
		in := "first_name,channel,external_id\nAnn," + tc.channel + "," + tc.id + "\n"
		cs, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.ok && (len(cs) != 1 || cs[0].Contact.ExternalID != tc.want):
			t.Errorf("%s %q: contacts %+v, bad %+v; want id %q", tc.channel, tc.id, cs, bad, tc.want)
		case !tc.ok && (len(bad) != 1 || bad[0].Line != 2 || !strings.Contains(bad[0].Reason, tc.want)):
			t.Errorf("%s %q: bad %+v; want line 2: %q", tc.channel, tc.id, bad, tc.want)
		}
	}
}

// TestParsePhones: phones are read with the phone library, in the
// workspace's default region when they have no country code (issue #9:
// "+44 (0)20 7946 0958" was stored as +4402079460958).
func TestParsePhones(t *testing.T) {
	cases := []struct {
		phone, region, want string
	}{
		{"+44 (0)20 7946 0958", "", "+442079460958"},
		{"0044 20 7946 0958", "", "+442079460958"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"(415) 555-0142", "US", "+14155550142"},
		{"+1 415 555 0142", "GB", "+14155550142"},
		{"020 7946 0958", "", "error: country code"},
		{"+1 555 0142", "", "error: is not a valid +1 number"},
		{"+44 20 7946 09581234", "", "error: is not a valid +44 number"},
		{"call 020 7946 0958", "GB", "error: has a character"},
	}
	for _, tc := range cases {
		in := "first_name,phone\nAnn,\"" + tc.phone + "\"\n"
		cs, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{Region: tc.region})
		if err != nil {
			t.Fatal(err)
		}
		if want, isErr := strings.CutPrefix(tc.want, "error: "); isErr {
			if len(bad) != 1 || bad[0].Line != 2 || !strings.HasPrefix(bad[0].Reason, "phone ") || !strings.Contains(bad[0].Reason, want) {
				t.Errorf("%q in %q: bad %+v, want line 2: phone … %s", tc.phone, tc.region, bad, want)
			}
			continue
		}
		if len(cs) != 1 || cs[0].Contact.Phone != tc.want {
			t.Errorf("%q in %q: %+v %+v, want %s", tc.phone, tc.region, cs, bad, tc.want)
		}
	}
}

// TestParseMergesRowsOfOneContact: the rows of one contact (same email,
// else same phone) merge, one identity each (issue #9: a second row with
// the same email was refused, so a contact on two channels could not be
// imported).
func TestParseMergesRowsOfOneContact(t *testing.T) {
	in := "first_name,last_name,email,phone,vip,channel,external_id,last_inbound_at\n" +
		"Jane,Doe,jane@example.com,+1 415 555 0142,true,telegram,4242,2026-11-20T14:05:00Z\n" + // 2
		",,JANE@example.com,,,line,U4af4980629a0c8a6e0e7b7e4d5f3b2a1,\n" + // 3: same email
		",,,(415) 555-0142,,whatsapp,,2026-11-21T09:00:00Z\n" + // 4: same phone, in another format
		"Jane,,jane@example.com,,,telegram,4242,2026-11-22T09:00:00Z\n" + // 5: the same identity again
		"Janet,,jane@example.com,,,,,\n" + // 6: another first name
		",,jane@example.com,,false,,,\n" + // 7: another vip
		",,jane@example.com,,,telegram,999,\n" + // 8: a second telegram id
		",,bob@example.com,+1 415 555 0142,,sms,,\n" + // 9: Jane's phone, another email: another contact
		",,cy@example.com,,,telegram,4242,\n" + // 10: Jane's telegram id
		",,,,,telegram,4242,\n" + // 11: found by the identity
		"Dee,,,,,whatsapp,,\n" // 12: no phone to address
	cs, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("contacts %+v bad %+v", cs, bad)
	}
	jane := cs[0]
	if jane.Line != 2 || fmt.Sprint(jane.Lines) != "[2 3 4 5 11]" {
		t.Errorf("Jane's lines %v", jane.Lines)
	}
	c := jane.Contact
	if c.FirstName != "Jane" || c.LastName != "Doe" || c.Phone != "+14155550142" || c.VIP == nil || !*c.VIP {
		t.Errorf("Jane %+v", c)
	}
	got := map[followup.Channel]string{c.Channel: c.ExternalID}
	for _, id := range c.Identities {
		got[id.Channel] = id.ExternalID
	}
	if len(got) != 3 || got[followup.Telegram] != "4242" || got[followup.LINE] == "" || got[followup.WhatsApp] != "" || len(c.Identities) != 2 {
		t.Errorf("Jane's identities %v (%+v)", got, c)
	}
	if c.Channel != followup.Telegram || c.LastInboundAt == nil || c.LastInboundAt.Day() != 22 {
		t.Errorf("the repeated identity keeps the latest inbound time: %+v", c)
	}
	if bob := cs[1]; bob.Line != 9 || bob.Contact.Phone != "+14155550142" || bob.Contact.Channel != followup.SMS {
		t.Errorf("Bob %+v", bob)
	}
	want := map[int]string{
		6:  `email "jane@example.com" is the contact of line 2, whose first_name is "Jane", not "Janet"`,
		7:  `whose vip is "true", not "false"`,
		8:  "already has a different telegram identity (line 2)",
		10: `telegram external_id "4242" is already the identity of the contact of line 2`,
		12: "channel whatsapp needs an external_id, or the contact's phone",
	}
	if len(bad) != len(want) {
		t.Errorf("bad rows %+v", bad)
	}
	for _, b := range bad {
		if !strings.Contains(b.Reason, want[b.Line]) || want[b.Line] == "" {
			t.Errorf("line %d: %q, want %q", b.Line, b.Reason, want[b.Line])
		}
	}
}

// TestParseTimeZone: the time_zone column takes IANA names and refuses the rest.
func TestParseTimeZone(t *testing.T) {
	in := "first_name,email,time_zone\nJane,jane@example.com,Europe/Berlin\nBad,bad@example.com,Mars/Olympus\nNone,none@example.com,\n"
	rows, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Contact.TimeZone != "Europe/Berlin" || rows[1].Contact.TimeZone != "" {
		t.Fatalf("rows: %+v", rows)
	}
	if len(bad) != 1 || bad[0].Line != 3 || !strings.Contains(bad[0].Reason, "IANA time zone") {
		t.Fatalf("bad: %+v", bad)
	}
}
