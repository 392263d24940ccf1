package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
)

const contactCols = `c.id, c.first_name, c.last_name, coalesce(c.email, '') AS email, coalesce(c.phone, '') AS phone,
	c.vip, c.dedicated_agent_id, c.conv_status, c.assignee_id, c.last_activity_at, c.created_at, c.time_zone`

// Contact finds a contact by id.
func (s *Store) Contact(ctx context.Context, id int64) (followup.Contact, error) {
	var c followup.Contact
	err := s.db.GetContext(ctx, &c, `SELECT `+contactCols+` FROM contacts c WHERE c.id = $1`, id)
	if err != nil {
		return c, translate(err, fmt.Sprintf("contact %d", id))
	}
	return c, nil
}

// Identities lists a contact's channel identities in the product's channel order.
func (s *Store) Identities(ctx context.Context, contactID int64) ([]followup.Identity, error) {
	m, err := s.identitiesOf(ctx, []int64{contactID})
	return m[contactID], err
}

func (s *Store) identitiesOf(ctx context.Context, ids []int64) (map[int64][]followup.Identity, error) {
	out := make(map[int64][]followup.Identity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []followup.Identity
	err := s.db.SelectContext(ctx, &rows, `
		SELECT contact_id, channel, external_id, last_inbound_at FROM identities
		WHERE contact_id = ANY($1)
		ORDER BY contact_id, array_position(ARRAY['whatsapp','messenger','instagram','viber','wechat','telegram','line','webchat','sms','email'], channel)`, ids)
	if err != nil {
		return nil, translate(err, "list identities")
	}
	for _, r := range rows {
		out[r.ContactID] = append(out[r.ContactID], r)
	}
	return out, nil
}

// Identity returns a contact's identity on one channel.
func (s *Store) Identity(ctx context.Context, contactID int64, ch followup.Channel) (followup.Identity, error) {
	var id followup.Identity
	err := s.db.GetContext(ctx, &id, `SELECT contact_id, channel, external_id, last_inbound_at FROM identities WHERE contact_id = $1 AND channel = $2`, contactID, ch)
	if err != nil {
		return id, translate(err, fmt.Sprintf("contact %d has no %s identity", contactID, ch.Title()))
	}
	return id, nil
}

// Resolve finds the one contact a person means by ref: a contact id, an
// email address, a phone number in any format, or a name that matches
// exactly one contact. Several matches are an EConflict naming a few of them.
func (s *Store) Resolve(ctx context.Context, ref string) (followup.Contact, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return followup.Contact{}, followup.Errorf(followup.EInvalid, "which contact? Give an id, email, phone or name")
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); err == nil && id > 0 && len(ref) <= 10 {
		c, err := s.Contact(ctx, id)
		if err == nil || followup.ErrorCodeOf(err) != followup.ENotFound || strings.HasPrefix(ref, "#") {
			return c, err
		}
	}
	page, err := s.Find(ctx, Query{Text: ref, Status: StatusAny, Limit: 6})
	if err != nil {
		return followup.Contact{}, err
	}
	rs := page.Results
	// An exact match wins over prefix matches ("Jan" the person over "Jana").
	if len(rs) > 1 && rs[0].Match == MatchExact && rs[1].Match != MatchExact {
		rs = rs[:1]
	}
	switch {
	case len(rs) == 0:
		return followup.Contact{}, followup.Errorf(followup.ENotFound, "no contact matches %q", ref)
	case len(rs) == 1 && rs[0].Match != MatchFuzzy:
		return rs[0].Contact, nil
	}
	names := make([]string, 0, len(rs))
	for i, r := range rs {
		if i == 5 {
			names = append(names, "…")
			break
		}
		names = append(names, fmt.Sprintf("#%d %s", r.ID, r.FullName()))
	}
	if len(rs) == 1 {
		return followup.Contact{}, followup.Errorf(followup.ENotFound, "no contact matches %q exactly; did you mean %s?", ref, names[0])
	}
	return followup.Contact{}, followup.Errorf(followup.EConflict, "%q matches several contacts: %s; use the id, email or phone", ref, strings.Join(names, ", "))
}

// ContactInput is what an import or an inbound webhook knows about a contact.
type ContactInput struct {
	FirstName, LastName string
	Email               string
	// Phone is written by a person in any format: international, or
	// national in the workspace's default_region. It is stored in E.164
	// and must be a valid number, except when it is also the input's
	// WhatsApp or SMS external id: a provider's number is only normalised
	// (NormalizePhone).
	Phone string
	VIP   *bool // nil = leave as is
	// TimeZone is the contact's IANA time zone ("" = leave as is).
	TimeZone        string
	Channel         followup.Channel
	ExternalID      string
	LastInboundAt   *time.Time
	ConvStatus      followup.ConvStatus // "" = leave as is
	AssigneeSlackID string
	// Identities are more channel identities of the contact, saved with it
	// (a CSV import gives one per row of the contact).
	Identities []IdentityInput
}

// IdentityInput is one channel identity of a ContactInput.
type IdentityInput struct {
	Channel followup.Channel
	// ExternalID may be empty on the channels addressed by the contact's
	// own email or phone (email, SMS, WhatsApp, Viber).
	ExternalID    string
	LastInboundAt *time.Time
}

// identities lists the input's identities, the one of Channel first.
func (in ContactInput) identities() []IdentityInput {
	out := make([]IdentityInput, 0, 1+len(in.Identities))
	if in.Channel != "" || in.ExternalID != "" {
		out = append(out, IdentityInput{Channel: in.Channel, ExternalID: in.ExternalID, LastInboundAt: in.LastInboundAt})
	}
	return append(out, in.Identities...)
}

// SaveContact creates a contact or updates the one it already is: the same
// email (case-insensitive), else the same phone, else the same channel
// identity. created reports which happened.
func (s *Store) SaveContact(ctx context.Context, in ContactInput) (id int64, created bool, err error) {
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	in.Email = strings.TrimSpace(in.Email)
	if in.Email != "" && !validEmail(in.Email) {
		return 0, false, followup.Errorf(followup.EInvalid, "email %q is not an address (name@domain)", in.Email)
	}
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	if in.TimeZone != "" && !ValidTimeZone(in.TimeZone) {
		return 0, false, followup.Errorf(followup.EInvalid, "time_zone %q is not an IANA time zone like Europe/Berlin", in.TimeZone)
	}
	idents := in.identities()
	seen := map[followup.Channel]bool{}
	for _, ident := range idents {
		if ident.Channel == "" {
			return 0, false, followup.Errorf(followup.EInvalid, "external_id %q needs a channel", ident.ExternalID)
		}
		if _, err := followup.ParseChannel(string(ident.Channel)); err != nil {
			return 0, false, err
		}
		if ident.ExternalID == "" && !addressedByContact(ident.Channel) {
			return 0, false, followup.Errorf(followup.EInvalid, "channel %s needs an external_id", ident.Channel)
		}
		if seen[ident.Channel] {
			return 0, false, followup.Errorf(followup.EInvalid, "two %s identities: a contact has one identity per channel", ident.Channel.Title())
		}
		seen[ident.Channel] = true
	}
	phone, err := s.contactPhone(ctx, in)
	if err != nil {
		return 0, false, err
	}
	if in.FirstName == "" && in.LastName == "" && in.Email == "" && phone == "" && len(idents) == 0 {
		return 0, false, followup.Errorf(followup.EInvalid, "a contact needs at least a name, an email, a phone or a channel identity")
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var assignee *int64
		if in.AssigneeSlackID != "" {
			var aid int64
			if err := tx.GetContext(ctx, &aid, `SELECT id FROM agents WHERE slack_user_id = $1`, in.AssigneeSlackID); err != nil {
				return followup.Errorf(followup.EInvalid, "assignee %q is not a registered agent (followup agents add)", in.AssigneeSlackID)
			}
			assignee = &aid
		}
		id, created, err = findContact(ctx, tx, in.Email, phone, idents)
		if err != nil {
			return err
		}
		first, last := in.FirstName, in.LastName
		if created {
			err = tx.GetContext(ctx, &id, `
				INSERT INTO contacts (first_name, last_name, email, phone, vip, first_key, last_key, full_key, email_key, phone_rev, time_zone)
				VALUES ($1, $2, nullif($3, ''), nullif($4, ''), coalesce($5, false), $6, $7, $8, nullif($9, ''), nullif($10, ''), $11)
				RETURNING id`,
				first, last, in.Email, phone, in.VIP, NameKey(first), NameKey(last), FullKey(first, last), EmailKey(in.Email), PhoneRev(phone), in.TimeZone)
			if err == nil {
				err = addWords(ctx, tx, FullKey(first, last))
			}
		} else {
			// Empty fields in the input leave the stored value as it is.
			_, err = tx.ExecContext(ctx, `
				UPDATE contacts SET
					first_name = CASE WHEN $2 = '' THEN first_name ELSE $2 END,
					last_name  = CASE WHEN $3 = '' THEN last_name ELSE $3 END,
					email      = coalesce(nullif($4, ''), email),
					phone      = coalesce(nullif($5, ''), phone),
					vip        = coalesce($6, vip),
					time_zone  = CASE WHEN $7 = '' THEN time_zone ELSE $7 END,
					updated_at = now()
				WHERE id = $1`, id, first, last, in.Email, phone, in.VIP, in.TimeZone)
			if err == nil {
				err = refreshKeys(ctx, tx, id)
			}
		}
		if err != nil {
			return translate(err, "save contact")
		}
		for _, ident := range idents {
			ext := ident.ExternalID
			if ext == "" {
				// Email, SMS, WhatsApp and Viber are addressed by the
				// contact's own email or phone.
				var r struct {
					Email string `db:"email"`
					Phone string `db:"phone"`
				}
				if err := tx.GetContext(ctx, &r, `SELECT coalesce(email_key, '') AS email, coalesce(phone, '') AS phone FROM contacts WHERE id = $1`, id); err != nil {
					return translate(err, "save contact")
				}
				if ext = r.Phone; ident.Channel == followup.Email {
					ext = r.Email
				}
				if ext == "" {
					return followup.Errorf(followup.EInvalid, "channel %s needs an external_id, or the contact's %s", ident.Channel, map[bool]string{true: "email", false: "phone"}[ident.Channel == followup.Email])
				}
			}
			if err := upsertIdentity(ctx, tx, id, ident.Channel, ext, ident.LastInboundAt); err != nil {
				return err
			}
		}
		switch in.ConvStatus {
		case followup.Open:
			at := time.Now()
			if _, err := openConversation(ctx, tx, id, assignee, assignee != nil, at); err != nil {
				return err
			}
		case followup.Closed:
			if _, err := closeConversation(ctx, tx, id, followup.Keep, time.Now(), false); err != nil {
				return err
			}
			if assignee != nil {
				// A migrated closed conversation keeps its last assignee, so
				// "mine" finds it.
				if _, err := tx.ExecContext(ctx, `UPDATE contacts SET assignee_id = $2 WHERE id = $1`, id, *assignee); err != nil {
					return translate(err, "save contact")
				}
			}
		}
		return nil
	})
	return id, created, err
}

// refreshKeys recomputes a contact's search keys from its stored fields, in Go,
// with the same normalisation queries get.
func refreshKeys(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var r struct {
		First string `db:"first_name"`
		Last  string `db:"last_name"`
		Email string `db:"email"`
		Phone string `db:"phone"`
	}
	if err := tx.GetContext(ctx, &r, `SELECT first_name, last_name, coalesce(email, '') AS email, coalesce(phone, '') AS phone FROM contacts WHERE id = $1`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET first_key = $2, last_key = $3, full_key = $4, email_key = nullif($5, ''), phone_rev = nullif($6, '') WHERE id = $1`,
		id, NameKey(r.First), NameKey(r.Last), FullKey(r.First, r.Last), EmailKey(r.Email), PhoneRev(r.Phone))
	if err != nil {
		return err
	}
	return addWords(ctx, tx, FullKey(r.First, r.Last))
}

// addWords adds a name's words to the dictionary typo tolerance corrects
// against.
func addWords(ctx context.Context, tx *sqlx.Tx, fullKey string) error {
	if fullKey == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO name_words (word) SELECT DISTINCT w FROM unnest(string_to_array($1, ' ')) AS w WHERE w <> '' ON CONFLICT DO NOTHING`, fullKey)
	return err
}

func findContact(ctx context.Context, tx *sqlx.Tx, email, phone string, idents []IdentityInput) (int64, bool, error) {
	var id int64
	var err error
	switch {
	case email != "":
		err = tx.GetContext(ctx, &id, `SELECT id FROM contacts WHERE email_key = $1`, EmailKey(email))
		if err == nil {
			return id, false, nil
		}
	}
	if phone != "" && (err == nil || isNoRows(err)) {
		err = tx.GetContext(ctx, &id, `SELECT id FROM contacts WHERE phone = $1 AND (email IS NULL OR $2 = '') ORDER BY id LIMIT 1`, phone, email)
		if err == nil {
			return id, false, nil
		}
	}
	for _, ident := range idents {
		if ident.ExternalID == "" || (err != nil && !isNoRows(err)) {
			continue
		}
		err = tx.GetContext(ctx, &id, `SELECT contact_id FROM identities WHERE channel = $1 AND external_id = $2`, ident.Channel, ident.ExternalID)
		if err == nil {
			return id, false, nil
		}
	}
	if err != nil && !isNoRows(err) {
		return 0, false, translate(err, "find contact")
	}
	return 0, true, nil
}

// contactPhone is the input's phone in E.164: a number a person wrote is
// read in the workspace's default region and must be valid; the number a
// provider gave as the WhatsApp or SMS identity is only normalised.
func (s *Store) contactPhone(ctx context.Context, in ContactInput) (string, error) {
	p := strings.TrimSpace(in.Phone)
	if p == "" {
		return "", nil
	}
	for _, ident := range in.identities() {
		if (ident.Channel == followup.WhatsApp || ident.Channel == followup.SMS) && ident.ExternalID == p {
			return NormalizePhone(p)
		}
	}
	var region string
	if !strings.HasPrefix(p, "+") {
		var err error
		if region, err = s.defaultRegion(ctx); err != nil {
			return "", err
		}
	}
	return ParsePhone(p, region)
}

// defaultRegion is the workspace's default_region setting.
func (s *Store) defaultRegion(ctx context.Context) (string, error) {
	var r string
	err := s.db.GetContext(ctx, &r, `SELECT default_region FROM settings`)
	return r, translate(err, "read settings")
}

func upsertIdentity(ctx context.Context, tx *sqlx.Tx, contactID int64, ch followup.Channel, ext string, lastInbound *time.Time) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO identities (contact_id, channel, external_id, last_inbound_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (contact_id, channel) DO UPDATE SET external_id = EXCLUDED.external_id,
			last_inbound_at = GREATEST(identities.last_inbound_at, EXCLUDED.last_inbound_at)`,
		contactID, ch, ext, lastInbound)
	if err != nil {
		return translate(err, fmt.Sprintf("%s identity %q", ch.Title(), ext))
	}
	if lastInbound != nil {
		_, err = tx.ExecContext(ctx, `UPDATE contacts SET last_activity_at = GREATEST(last_activity_at, $2) WHERE id = $1`, contactID, *lastInbound)
	}
	return translate(err, "touch contact")
}

// RecordInbound notes that the customer wrote on a channel at a time: the
// identity's window restarts (if the time is newer) and a conversation opens
// when none is open. It returns the open conversation.
func (s *Store) RecordInbound(ctx context.Context, contactID int64, ch followup.Channel, at time.Time) (followup.Conversation, error) {
	var conv followup.Conversation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE identities SET last_inbound_at = GREATEST(last_inbound_at, $3) WHERE contact_id = $1 AND channel = $2`, contactID, ch, at)
		if err != nil {
			return translate(err, "record inbound")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return followup.Errorf(followup.ENotFound, "contact %d has no %s identity", contactID, ch.Title())
		}
		conv, err = openConversation(ctx, tx, contactID, nil, false, at)
		return err
	})
	return conv, err
}

// addressedByContact says whether a channel's address is the contact's
// email or phone, so an identity needs no external id of its own.
func addressedByContact(ch followup.Channel) bool {
	switch ch {
	case followup.Email, followup.SMS, followup.WhatsApp, followup.Viber:
		return true
	}
	return false
}

func isNoRows(err error) bool {
	return followup.ErrorCodeOf(translate(err, "")) == followup.ENotFound
}

func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.IndexByte(s[at+1:], '@') < 0 && !strings.ContainsAny(s, " \t\r\n<>,;\"") && len(s) <= 254
}
