package hypercare

import (
	"encoding/json"
	"time"
)

// ContactType is how a contact method reaches a person.
type ContactType string

// The contact method types (DESIGN.md §5.1). A type this binary has no
// channel for is still accepted, and flagged by the dry run.
const (
	ContactEmail      ContactType = "email"
	ContactSMS        ContactType = "sms"
	ContactVoice      ContactType = "voice"
	ContactPush       ContactType = "push"
	ContactSlack      ContactType = "slack"
	ContactWebhook    ContactType = "webhook"
	ContactTeams      ContactType = "teams"
	ContactDiscord    ContactType = "discord"
	ContactMattermost ContactType = "mattermost"
	ContactNtfy       ContactType = "ntfy"
)

// Valid reports whether t is a known contact type.
func (t ContactType) Valid() bool {
	switch t {
	case ContactEmail, ContactSMS, ContactVoice, ContactPush, ContactSlack, ContactWebhook,
		ContactTeams, ContactDiscord, ContactMattermost, ContactNtfy:
		return true
	}
	return false
}

// User is a responder who can be on call and paged.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	Role     Role   `json:"role"`
	// Teams the user belongs to.
	Teams             []string           `json:"teams,omitempty"`
	ContactMethods    []ContactMethod    `json:"contact_methods"`
	NotificationRules []NotificationRule `json:"notification_rules"`
}

// ContactMethod is one address a user can be reached at.
type ContactMethod struct {
	ID      string      `json:"id"`
	Type    ContactType `json:"type"`
	Address string      `json:"address"`
	// Verified says the user proved they receive messages there: the
	// file vouches for it (verified unless it says false), or a code sent
	// to the address was confirmed (kept in the database, see the API's
	// contact method verification).
	Verified bool `json:"verified"`
}

// NotificationRule says which contact method to use how long after the
// user is paged, optionally only for one urgency.
type NotificationRule struct {
	ContactMethod string        `json:"contact_method"`
	After         time.Duration `json:"after"`
	// Urgency limits the rule to incidents of that urgency; "" is any.
	Urgency Urgency `json:"urgency,omitempty"`
}

// ContactMethodByID returns the user's contact method with id.
func (u *User) ContactMethodByID(id string) (ContactMethod, bool) {
	for _, cm := range u.ContactMethods {
		if cm.ID == id {
			return cm, true
		}
	}
	return ContactMethod{}, false
}

// MarshalJSON writes the delay as after_minutes, the unit people configure.
func (r NotificationRule) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ContactMethod string  `json:"contact_method"`
		AfterMinutes  float64 `json:"after_minutes"`
		Urgency       Urgency `json:"urgency,omitempty"`
	}{r.ContactMethod, r.After.Minutes(), r.Urgency})
}
