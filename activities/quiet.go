package activities

import (
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
)

// quietUntil is when the quiet hours at falls in end for the contact: in
// its own time zone, else its phone number's (when that has one); zero
// when at is not in them. zone is the zone used ("" when none is known).
func quietUntil(c followup.Contact, set followup.Settings, at time.Time) (until time.Time, zone string) {
	if set.QuietHours == "" || set.QuietHours == followup.QuietOff {
		return time.Time{}, ""
	}
	zone = c.TimeZone
	if zone == "" {
		zone = store.PhoneTimeZone(c.Phone)
	}
	if zone == "" {
		return time.Time{}, ""
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.Time{}, ""
	}
	until, _ = followup.QuietUntil(set.QuietHours, at, loc)
	return until.UTC(), zone
}
