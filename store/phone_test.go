package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
)

// TestParsePhone: numbers people write are read with the phone library:
// the trunk 0 in "+44 (0)20" is not part of the number (issue #9 stored
// +4402079460958), national numbers need a region, invalid ones are
// refused with the reason.
func TestParsePhone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, region, want string // want "error: …" for an error containing …
	}{
		{"+44 (0)20 7946 0958", "", "+442079460958"},
		{"+4402079460958", "", "+442079460958"},
		{"00 44 20 7946 0958", "", "+442079460958"},
		{"+1 (415) 555-0142", "", "+14155550142"},
		{"+7 912 345 67 89", "", "+79123456789"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"00 44 20 7946 0958", "US", "+442079460958"},
		{"011 44 20 7946 0958", "US", "+442079460958"},
		{"8 912 345 67 89", "RU", "+79123456789"},
		{"415.555.0142", "US", "+14155550142"},
		{"+34 612 345 678", "GB", "+34612345678"},
		{"  ", "", ""},
		{"415 555 0142", "", "error: needs a country code"},
		{"020 7946 0958", "US", "error: is not a valid +1 number"},
		{"+1 555 0142", "", "error: is not a valid +1 number: too short"},
		{"+44 20 7946 0958 0000", "", "error: too long"},
		{"+999 1234567", "", "error: country code"},
		{"+1 800 FLOWERS", "", "error: has a character"},
		{"+", "", "error: has no digits"},
	} {
		got, err := store.ParsePhone(tc.in, tc.region)
		if want, isErr := strings.CutPrefix(tc.want, "error: "); isErr {
			if err == nil || followup.ErrorCodeOf(err) != followup.EInvalid || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "phone ") {
				t.Errorf("ParsePhone(%q, %q) = %q, %v; want an error with %q", tc.in, tc.region, got, err, want)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParsePhone(%q, %q) = %q, %v; want %q", tc.in, tc.region, got, err, tc.want)
		}
	}
}

// TestNormalizePhone: a provider's number is only normalised, not checked
// against the numbering plan (the provider has just reached it).
func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+15550783881":        "+15550783881", // not a valid US number, but WhatsApp's
		"+47 412345678":       "+47412345678", // one digit too many for Norway
		"+44 (0)20 7946 0958": "+442079460958",
		"":                    "",
	} {
		if got, err := store.NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"4155550142", "+999 1234567", "+1 2"} {
		if got, err := store.NormalizePhone(in); followup.ErrorCodeOf(err) != followup.EInvalid {
			t.Errorf("NormalizePhone(%q) = %q, %v; want invalid", in, got, err)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+442079460958": "+44 20 7946 0958",
		"+14155550142":  "+1 415-555-0142",
		"+79123456789":  "+7 912 345-67-89",
		"":              "",
		"not a phone":   "not a phone",
	} {
		if got := store.FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidExternalID(t *testing.T) {
	t.Parallel()
	good := map[followup.Channel][]string{
		followup.WhatsApp:  {"+14155550142"},
		followup.SMS:       {"+442079460958"},
		followup.Telegram:  {"123456789", "-1001234567890"},
		followup.Messenger: {"1254477777772919"},
		followup.Instagram: {"17841405309211844"},
		followup.LINE:      {"U4af4980629a0c8a6e0e7b7e4d5f3b2a1"},
		followup.Email:     {"jane@example.com"},
		followup.Viber:     {"01234567890A=", "+14155550142"},
		followup.WeChat:    {"oAbC-12_xyzXYZ0123456789abcd"},
		followup.Webchat:   {"v-0123456789abcdef"},
	}
	bad := map[followup.Channel][]string{
		followup.WhatsApp:  {"14155550142", "+1 415 555 0142", ""},
		followup.SMS:       {"+0123456789"},
		followup.Telegram:  {"abc", "0", "0123", "+5", "99999999999999999999"},
		followup.Messenger: {"jane", "01254477777772919"},
		followup.Instagram: {"@jane"},
		followup.LINE:      {"Uabc", "u4af4980629a0c8a6e0e7b7e4d5f3b2a1"},
		followup.Email:     {"jane", "a@b@c"},
		followup.Viber:     {"", "a b", strings.Repeat("a", 129)},
		followup.WeChat:    {"o<x>", ""},
		followup.Webchat:   {"short", "has space here"},
		"fax":              {"1"},
	}
	for ch, ids := range good {
		for _, id := range ids {
			if err := store.ValidExternalID(ch, id); err != nil {
				t.Errorf("%s %q: %v", ch, id, err)
			}
		}
	}
	for ch, ids := range bad {
		for _, id := range ids {
			if err := store.ValidExternalID(ch, id); followup.ErrorCodeOf(err) != followup.EInvalid {
				t.Errorf("%s %q: %v, want invalid", ch, id, err)
			}
		}
	}
}

// TestDefaultRegionSetting: `followup settings set default_region GB`.
func TestDefaultRegionSetting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	set := must[followup.Settings](t)(s.Settings(ctx))
	if set.DefaultRegion != "" || store.ShowSetting(set, "default_region") != "none" {
		t.Fatalf("default: %q", set.DefaultRegion)
	}
	if err := s.SetSetting(ctx, "default_region", "gb"); err != nil {
		t.Fatal(err)
	}
	set = must[followup.Settings](t)(s.Settings(ctx))
	if set.DefaultRegion != "GB" || store.ShowSetting(set, "default_region") != "GB" {
		t.Fatalf("after set gb: %q", set.DefaultRegion)
	}
	for _, v := range []string{"XX", "GBR", "United Kingdom", "1"} {
		if err := s.SetSetting(ctx, "default_region", v); followup.ErrorCodeOf(err) != followup.EInvalid || !strings.Contains(err.Error(), "ISO 3166") {
			t.Errorf("%q: %v", v, err)
		}
	}
	if err := s.SetSetting(ctx, "default_region", "none"); err != nil {
		t.Fatal(err)
	}
	if set = must[followup.Settings](t)(s.Settings(ctx)); set.DefaultRegion != "" {
		t.Fatalf("after none: %q", set.DefaultRegion)
	}
}

// TestSaveContactPhone: stored phones are valid E.164 numbers; national
// ones are read in the workspace's default region.
func TestSaveContactPhone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	phoneOf := func(in store.ContactInput) (string, error) {
		t.Helper()
		id, _, err := s.SaveContact(ctx, in)
		if err != nil {
			return "", err
		}
		c, err := s.Contact(ctx, id)
		return c.Phone, err
	}
	if p, err := phoneOf(store.ContactInput{FirstName: "Jane", Phone: "+44 (0)20 7946 0958"}); err != nil || p != "+442079460958" {
		t.Fatalf("+44 (0)20 7946 0958 stored as %q, %v", p, err)
	}
	for _, in := range []string{"020 7946 0958", "+1 555 0142"} {
		if p, err := phoneOf(store.ContactInput{FirstName: "X", Phone: in}); followup.ErrorCodeOf(err) != followup.EInvalid || !strings.HasPrefix(followup.ErrorMessage(err), "phone ") {
			t.Errorf("%q: stored %q, %v; want invalid", in, p, err)
		}
	}
	if err := s.SetSetting(ctx, "default_region", "GB"); err != nil {
		t.Fatal(err)
	}
	if p, err := phoneOf(store.ContactInput{FirstName: "Ann", Email: "ann@example.com", Phone: "07400 123456"}); err != nil || p != "+447400123456" {
		t.Fatalf("national number in GB: %q, %v", p, err)
	}
	// A provider's number (the WhatsApp sender) is only normalised.
	if p, err := phoneOf(store.ContactInput{Phone: "+15550783881", Channel: followup.WhatsApp, ExternalID: "+15550783881"}); err != nil || p != "+15550783881" {
		t.Fatalf("provider's number: %q, %v", p, err)
	}
}

// TestSaveContactIdentities: one input saves a contact's identities on
// several channels together, one per channel.
func TestSaveContactIdentities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC)
	id, created, err := s.SaveContact(ctx, store.ContactInput{FirstName: "Jane", Email: "jane@example.com", Phone: "+14155550142",
		Channel: followup.Telegram, ExternalID: "4242", LastInboundAt: &at,
		Identities: []store.IdentityInput{{Channel: followup.WhatsApp}, {Channel: followup.Email, LastInboundAt: &at}}})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	ids := must[[]followup.Identity](t)(s.Identities(ctx, id))
	got := map[followup.Channel]string{}
	for _, i := range ids {
		got[i.Channel] = i.ExternalID
	}
	if len(got) != 3 || got[followup.Telegram] != "4242" || got[followup.WhatsApp] != "+14155550142" || got[followup.Email] != "jane@example.com" {
		t.Fatalf("identities %v", got)
	}
	_, _, err = s.SaveContact(ctx, store.ContactInput{Email: "jane@example.com", Channel: followup.Telegram, ExternalID: "1",
		Identities: []store.IdentityInput{{Channel: followup.Telegram, ExternalID: "2"}}})
	if followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Fatalf("two telegram identities: %v", err)
	}
}

// TestFindPhoneForms: a whole number finds its contact however it is
// written, a national one in the default region; trailing digits still
// find every number they end.
func TestFindPhoneForms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	add := func(first, phone string) int64 {
		t.Helper()
		id, _, err := s.SaveContact(ctx, store.ContactInput{FirstName: first, Phone: phone})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	london := add("London", "+44 (0)20 7946 0958")
	maine := add("Maine", "+1 207 946 0958")
	jane := add("Jane", "+1 415 555 0142")
	find := func(q string) []int64 {
		t.Helper()
		page := must[store.Page](t)(s.Find(ctx, store.Query{Text: q, Status: store.StatusAny}))
		if page.Kind != store.KindPhone {
			t.Fatalf("%q read as %s", q, page.Kind)
		}
		var ids []int64
		for _, r := range page.Results {
			ids = append(ids, r.ID)
		}
		return ids
	}
	same := func(q string, got []int64, want ...int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%q found %v, want %v", q, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q found %v, want %v", q, got, want)
				return
			}
		}
	}
	same("+44 (0)20 7946 0958", find("+44 (0)20 7946 0958"), london)
	same("0044 20 7946 0958", find("0044 20 7946 0958"), london)
	same("555 0142", find("555 0142"), jane)
	same("020 7946 0958 without a region", find("020 7946 0958"))
	if got := find("7946 0958"); len(got) != 2 {
		t.Errorf("7946 0958 found %v, want London and Maine", got)
	}
	if err := s.SetSetting(ctx, "default_region", "GB"); err != nil {
		t.Fatal(err)
	}
	same("020 7946 0958 in GB", find("020 7946 0958"), london)
	// The whole number first, then the others it ends.
	page := must[store.Page](t)(s.Find(ctx, store.Query{Text: "20 7946 0958", Status: store.StatusAny}))
	if len(page.Results) != 2 || page.Results[0].ID != london || page.Results[0].Match != store.MatchExact || page.Results[1].ID != maine {
		t.Errorf("20 7946 0958 in GB: %+v", page.Results)
	}
	// Resolve reads a national number the same way.
	if c, err := s.Resolve(ctx, "020 7946 0958"); err != nil || c.ID != london {
		t.Errorf("resolve: %+v %v", c, err)
	}
}
