package store

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"

	"github.com/followup-dev/followup"
)

// foldSpecial maps letters that Unicode does not decompose into a base letter
// plus a mark, so "Łukasz" is found by "lukasz" and "Søren" by "soren".
var foldSpecial = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŀ': "l",
}

// NameKey normalises a name for search: Unicode compatibility-decomposed,
// combining marks removed, lower-cased, whitespace collapsed to single
// spaces. "  Zoë  ÅSTRÖM" becomes "zoe astrom"; "Ёлка" becomes "елка".
// Scripts without case or accents (CJK) pass through unchanged.
func NameKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r) || r == '\u00a0':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		r = unicode.ToLower(r)
		if f, ok := foldSpecial[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FullKey is the search key of "first last".
func FullKey(first, last string) string {
	f, l := NameKey(first), NameKey(last)
	switch {
	case f == "":
		return l
	case l == "":
		return f
	}
	return f + " " + l
}

// EmailKey is the case-folded email address.
func EmailKey(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Digits keeps the ASCII digits of s.
func Digits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// PhoneRev is the phone number's digits reversed, so that "ends with" is a
// prefix match an index can serve.
func PhoneRev(phone string) string {
	d := []byte(Digits(phone))
	for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
		d[i], d[j] = d[j], d[i]
	}
	return string(d)
}

// phoneMarks are the characters a written phone number may have besides
// digits.
const phoneMarks = "+-(). /"

// e164 is the shape of a stored phone number: "+", a country code, and at
// most 15 digits in all (ITU-T E.164).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ParsePhone reads a phone number a person wrote and returns it in E.164
// ("+442079460958"), checked against its country's numbering plan
// (github.com/nyaruka/phonenumbers, a port of Google's libphonenumber).
// International numbers are read as written ("+44 (0)20 7946 0958",
// "00 44 20 7946 0958"); a national number ("020 7946 0958") is read in
// region, the workspace's default_region (ISO 3166 alpha-2, "GB"). With no
// region a national number is refused: guessing a country would message a
// stranger. An empty s gives "" and no error.
func ParsePhone(s, region string) (string, error) {
	return parsePhone("phone", s, region, true)
}

// NormalizePhone turns an international number a provider gave (the sender
// of a WhatsApp message or an SMS) into E.164 without checking it against
// the numbering plan: the provider has just reached that number, and plans
// change faster than any library's metadata. Numbers people write go
// through ParsePhone.
func NormalizePhone(s string) (string, error) {
	return parsePhone("phone", s, "", false)
}

// FormatPhone writes a stored E.164 number for people, in international
// format ("+44 20 7946 0958", "+1 415-555-0142"). Anything it cannot read
// is returned as it is.
func FormatPhone(e string) string {
	n, err := phonenumbers.Parse(e, "")
	if err != nil || !strings.HasPrefix(e, "+") {
		return e
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// ValidRegion says whether region is an ISO 3166 alpha-2 code the phone
// library has a numbering plan for ("GB", "US"; upper case).
func ValidRegion(region string) bool {
	return len(region) == 2 && phonenumbers.GetSupportedRegions()[region]
}

// parsePhone is ParsePhone (strict) and NormalizePhone; what names the
// value in errors ("phone", "WhatsApp external_id").
func parsePhone(what, s, region string, strict bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, r := range s {
		if (r < '0' || r > '9') && !strings.ContainsRune(phoneMarks, r) {
			return "", followup.Errorf(followup.EInvalid, "%s %q has a character that is not a digit, space, +, -, ., / or a bracket", what, s)
		}
	}
	d := Digits(s)
	var n *phonenumbers.PhoneNumber
	var err error
	switch {
	case d == "":
		return "", followup.Errorf(followup.EInvalid, "%s %q has no digits", what, s)
	case strings.HasPrefix(s, "+"):
		n, err = phonenumbers.Parse(s, "")
	case region != "":
		n, err = phonenumbers.Parse(s, region)
		if (err != nil || !phonenumbers.IsValidNumber(n)) && strings.HasPrefix(d, "00") {
			// 00 is the international prefix of most of the world, also
			// for people in a region that dials another one.
			if m, merr := phonenumbers.Parse("+"+d[2:], ""); merr == nil && phonenumbers.IsValidNumber(m) {
				n, err = m, nil
			}
		}
	case strings.HasPrefix(d, "00"):
		n, err = phonenumbers.Parse("+"+d[2:], "")
	default:
		return "", followup.Errorf(followup.EInvalid, "%s %q needs a country code: write it as +<country><number>, e.g. +14155550142, or set the workspace's region for national numbers (followup settings set default_region GB)", what, s)
	}
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "", followup.Errorf(followup.EInvalid, "%s %q does not start with a country code (+1, +44, …)", what, s)
	case err != nil:
		return "", followup.Errorf(followup.EInvalid, "%s %q is not a phone number (%v)", what, s, err)
	}
	out := phonenumbers.Format(n, phonenumbers.E164)
	if !strict {
		if !e164.MatchString(out) {
			return "", followup.Errorf(followup.EInvalid, "%s %q is not an international number (7 to 15 digits after the +)", what, s)
		}
		return out, nil
	}
	if !phonenumbers.IsValidNumber(n) {
		var why string
		switch phonenumbers.IsPossibleNumberWithReason(n) {
		case phonenumbers.INVALID_COUNTRY_CODE:
			return "", followup.Errorf(followup.EInvalid, "%s %q: +%d is not a country code", what, s, n.GetCountryCode())
		case phonenumbers.TOO_SHORT:
			why = "too short"
		case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
			why = "too short (a local number: add the area code)"
		case phonenumbers.TOO_LONG:
			why = "too long"
		case phonenumbers.INVALID_LENGTH:
			why = "wrong number of digits"
		default:
			why = "no such numbers are in use"
		}
		return "", followup.Errorf(followup.EInvalid, "%s %q is not a valid +%d number: %s", what, s, n.GetCountryCode(), why)
	}
	return out, nil
}

// webchatID is a website-chat visitor id as the delivery service takes it
// (channels/webchat.ValidVisitorID).
var (
	webchatID = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)
	lineID    = regexp.MustCompile(`^U[0-9a-f]{32}$`)
	openID    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	viberID   = regexp.MustCompile(`^[A-Za-z0-9+/=_-]{1,128}$`)
	scopedID  = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)
)

// ValidExternalID checks that id has the form of an address on ch, as the
// provider (and its fake in channels/<name>/<name>test) takes it, so a bad
// id is refused where it is typed rather than by the provider at the first
// send:
//
//   - WhatsApp, SMS: E.164 ("+14155550142");
//   - Telegram: a chat id, a non-zero whole number;
//   - Messenger, Instagram: a page- or Instagram-scoped id (PSID, IGSID),
//     digits only;
//   - LINE: a user id, "U" and 32 lower-case hex digits;
//   - Email: an address;
//   - Viber: a user id (base64 letters, at most 128);
//   - WeChat: an openid (letters, digits, _ and -, at most 128);
//   - Website chat: a visitor id, 8 to 128 letters, digits, _ and -.
//
// NormalizeExternalID also reads ids the way people write them.
func ValidExternalID(ch followup.Channel, id string) error {
	var ok bool
	var want string
	switch ch {
	case followup.WhatsApp, followup.SMS:
		ok, want = e164.MatchString(id), "a phone number in E.164 form, like +14155550142"
	case followup.Telegram:
		n, err := strconv.ParseInt(id, 10, 64)
		ok, want = err == nil && n != 0 && id == strconv.FormatInt(n, 10), "a chat id (a whole number, like 123456789)"
	case followup.Messenger:
		ok, want = scopedID.MatchString(id), "a page-scoped id (PSID: digits only)"
	case followup.Instagram:
		ok, want = scopedID.MatchString(id), "an Instagram-scoped id (IGSID: digits only)"
	case followup.LINE:
		ok, want = lineID.MatchString(id), `a user id ("U" and 32 lower-case hex digits)`
	case followup.Email:
		ok, want = validEmail(id), "an email address (name@domain)"
	case followup.Viber:
		ok, want = viberID.MatchString(id), "a Viber user id (letters, digits, +, /, =, _ or -; at most 128)"
	case followup.WeChat:
		ok, want = openID.MatchString(id), "an openid (letters, digits, _ or -; at most 128)"
	case followup.Webchat:
		ok, want = webchatID.MatchString(id), "a visitor id (8 to 128 letters, digits, _ or -)"
	default:
		_, err := followup.ParseChannel(string(ch))
		return err
	}
	if !ok {
		return followup.Errorf(followup.EInvalid, "%s external_id %q is not %s", ch.Title(), id, want)
	}
	return nil
}

// NormalizeExternalID reads an id a person wrote for ch and returns it in
// the form stored and sent (ValidExternalID): a WhatsApp or SMS number in
// any format, national ones in region (the workspace's default_region),
// becomes E.164; an email address is case-folded; others are trimmed.
func NormalizeExternalID(ch followup.Channel, id, region string) (string, error) {
	id = strings.TrimSpace(id)
	switch ch {
	case followup.WhatsApp, followup.SMS:
		e, err := parsePhone(ch.Title()+" external_id", id, region, true)
		if err != nil {
			return "", err
		}
		id = e
	case followup.Email:
		id = EmailKey(id)
	}
	if err := ValidExternalID(ch, id); err != nil {
		return "", err
	}
	return id, nil
}

// ValidTimeZone says whether name is an IANA time zone (Europe/Berlin);
// "Local" and "" are not.
func ValidTimeZone(name string) bool {
	if name == "" || strings.EqualFold(name, "local") {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// PhoneTimeZone is the time zone of an E.164 phone number's country when
// that country has only one ("" when it has several, as the US, or the
// number is not valid).
func PhoneTimeZone(phone string) string {
	n, err := phonenumbers.Parse(phone, "")
	if err != nil {
		return ""
	}
	zones, err := phonenumbers.GetTimezonesForNumber(n)
	if err != nil || len(zones) != 1 || !ValidTimeZone(zones[0]) {
		return ""
	}
	return zones[0]
}
