package csvimport_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/csvimport"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/internal/i18ntest"
)

// TestRowErrorsInRussian: every reason a row is not imported reads in
// Russian, with nothing in English but the file's own columns and values;
// Reason keeps the English.
func TestRowErrorsInRussian(t *testing.T) {
	t.Parallel()
	files := []string{
		"first_name,last_name,email,phone,vip,channel,external_id,last_inbound_at,conversation_status,assignee,time_zone\n" +
			"Bad,Phone,bad@example.com,415 555 0142,,,,,,,\n" +
			"Bad,Vip,vip@example.com,,maybe,,,,,,\n" +
			"Too,Few\n" +
			"Bad,Time,t@example.com,,,telegram,123,yesterday,,,\n" +
			"Bad,Channel,c@example.com,,,fax,1,,,,\n" +
			"Bad,Status,s@example.com,,,,,,archived,,\n" +
			"Bad,Zone,z@example.com,,,,,,,,Mars/Olympus\n" +
			",,,,,,,,,U1,\n" +
			"No,Channel,n@example.com,,,,42,,,,\n" +
			"No,Channel,n2@example.com,,,,,2026-11-20T14:05:00Z,,,\n" +
			"Long," + strings.Repeat("x", csvimport.MaxFieldLen+1) + ",,,,,,,,,\n" +
			"Bad,\xff,,,,,,,,,\n" +
			`Bare,Qu"ote,q@example.com,,,,,,,,` + "\n" +
			`"Stray" quote,x,q2@example.com,,,,,,,,` + "\n" +
			`"Never closed,x,q3@example.com,,,,,,,,` + "\n",
		"first_name,last_name,email,phone,vip,channel,external_id,last_inbound_at\n" +
			"Jane,Doe,jane@example.com,+1 415 555 0142,true,telegram,4242,2026-11-20T14:05:00Z\n" +
			"Janet,,jane@example.com,,,,,\n" +
			",,jane@example.com,,false,,,\n" +
			",,jane@example.com,,,telegram,999,\n" +
			",,cy@example.com,,,telegram,4242,\n" +
			",,+1 415 555 0142,,,,,\n" +
			",,,(415) 555-0142,,,,\n" +
			",,,(415) 555-0143,,whatsapp,,\n" +
			",,,,,telegram,4242,\n" +
			",,,,,line,,\n" +
			",,,,,email,,\n" +
			"Dee,,,,,whatsapp,,\n",
		"first_name\n" + strings.Repeat("x", csvimport.MaxLineBytes+10) + "\n",
	}
	ru := i18n.New(i18n.Russian)
	grammar := []string{"CSV", "UTF", "RFC", "IANA", "Europe/Berlin", "true", "false", "open", "closed", "+CC", "whatsapp", "messenger", "instagram", "viber", "wechat", "telegram", "line", "webchat", "sms", "email", "phone"}
	var n int
	for _, in := range files {
		_, bad, err := csvimport.Parse(strings.NewReader(in), csvimport.Options{Region: "US"})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bad {
			n++
			if b.Err == nil || b.Reason != followup.ErrorMessage(b.Err) {
				t.Errorf("line %d: Reason %q, Err %v", b.Line, b.Reason, b.Err)
				continue
			}
			got := ru.Error(b.Err)
			left := i18ntest.EnglishLeft(got, append(grammar, strings.Split(in, "\n")[0], in)...)
			if len(left) > 0 || strings.Contains(got, "%!") || !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
				t.Errorf("line %d in Russian: %q (English: %v; %q)", b.Line, got, left, b.Reason)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d bad rows", n)
	}
	_, bad, _ := csvimport.Parse(strings.NewReader("first_name,email\nJane,a@example.com,x\n"), csvimport.Options{})
	if len(bad) != 1 || ru.Error(bad[0].Err) != "в строке 3 поля, а в заголовке — 2" {
		t.Errorf("fields: %+v", bad)
	}
}
