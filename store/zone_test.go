package store_test

import (
	"testing"

	"github.com/followup-dev/followup/store"
)

func TestPhoneTimeZone(t *testing.T) {
	for phone, want := range map[string]string{
		"+4930123456":   "Europe/Berlin",       // one zone for the country
		"+442079460000": "Europe/London",       // a London number
		"+447911123456": "",                    // a UK mobile: also the Channel Islands' and the Isle of Man's zones
		"+14155550142":  "America/Los_Angeles", // the prefix 415 has one zone
		"+79161234567":  "Europe/Moscow",       // a Moscow mobile prefix
		"+18005550199":  "",                    // US toll-free: every US zone
		"not a phone":   "",
	} {
		if got := store.PhoneTimeZone(phone); got != want {
			t.Errorf("%s: %q, want %q", phone, got, want)
		}
	}
	for name, want := range map[string]bool{"Europe/Berlin": true, "UTC": true, "Local": false, "": false, "Mars/Olympus": false} {
		if store.ValidTimeZone(name) != want {
			t.Errorf("ValidTimeZone(%q) != %v", name, want)
		}
	}
}
