package csvimport_test

import (
	"strings"
	"testing"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/csvimport"
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
	rows, bad, err := csvimport.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 11 {
		t.Fatalf("rows: %+v", rows)
	}
	r := rows[0].Contact
	if r.VIP == nil || !*r.VIP || r.Channel != followup.WhatsApp || r.LastInboundAt == nil || r.ConvStatus != followup.Closed || r.AssigneeSlackID != "U1" {
		t.Fatalf("row 2: %+v", r)
	}
	if rows[1].Contact.FirstName != "Quoted, Name" {
		t.Fatalf("quoted: %+v", rows[1].Contact)
	}
	want := map[int]string{3: "country code", 4: "vip", 5: "fields", 7: "RFC 3339", 8: "unknown channel", 9: "already on line 2", 10: "conversation_status"}
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
		_, _, err := csvimport.Parse(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) || followup.ErrorCodeOf(err) != followup.EInvalid {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestParseStopsAtBrokenQuote(t *testing.T) {
	in := "first_name,last_name\nA,B\n\"C,D\nE,F\n"
	rows, bad, err := csvimport.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(bad) != 1 || bad[0].Line != 3 {
		t.Fatalf("rows %+v bad %+v", rows, bad)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("first_name,last_name,email,phone\nJane,Doe,jane@example.com,+14155550142\n")
	f.Add("email,channel,external_id,last_inbound_at\na@b.c,line,U1,2026-01-01T00:00:00Z\n")
	f.Add("first_name\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, bad, err := csvimport.Parse(strings.NewReader(in))
		if err != nil {
			if followup.ErrorCodeOf(err) != followup.EInvalid {
				t.Fatalf("header error of the wrong kind: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row on line %d", r.Line)
			}
		}
		for _, b := range bad {
			if b.Reason == "" || b.Line < 1 {
				t.Fatalf("bad row without a reason or line: %+v", b)
			}
		}
	})
}
