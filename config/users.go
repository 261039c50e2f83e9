package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// maxMinutes bounds every delay written in minutes (notification rules,
// escalation levels, ack timeouts). Paging delays are minutes to hours; a
// week is far beyond any sensible one, so a larger value is a typo, and the
// bound keeps every delay far from overflowing a time.Duration.
const maxMinutes = 7 * 24 * 60

// User is one entry of users: a person who can be on call and paged, as
// written in the file. [Config.Users] returns the effective
// hypercare.User values, with defaults applied.
type User struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	// TimeZone is an IANA zone name, used to show the user times in their
	// own zone; optional.
	TimeZone string `yaml:"time_zone"`
	// Role is what the user may do in the UI and API; default responder,
	// since people in the file are there to be paged.
	Role hypercare.Role `yaml:"role"`
	// Teams are IDs of teams declared in the same file.
	Teams             []string           `yaml:"teams"`
	ContactMethods    []ContactMethod    `yaml:"contact_methods"`
	NotificationRules []NotificationRule `yaml:"notification_rules"`
}

// ContactMethod is one address a user can be paged at.
type ContactMethod struct {
	// ID is unique within the user; notification rules name it.
	ID   string                `yaml:"id"`
	Type hypercare.ContactType `yaml:"type"`
	// Address is an email address, an E.164 phone number (+447700900001)
	// or an http(s) URL, depending on Type. The file may give it as
	// "${NAME}" to read it from the environment (webhook URLs are often
	// secrets); after Parse it holds the resolved value.
	Address string `yaml:"address"`
	// Verified is nil when the file does not say, which means true:
	// methods in the file are written by whoever controls the
	// deployment's configuration and reviewed like code, so the file's
	// author vouches for them. Write false for an address that should be
	// kept but is not confirmed yet; a code confirmed through the API
	// (`hypercare notify verify`) then counts it verified, in the
	// database, without editing the file.
	Verified *bool `yaml:"verified"`
}

// NotificationRule says which contact method to use how long after the
// user is paged.
type NotificationRule struct {
	// ContactMethod is the ID of one of the same user's contact methods.
	ContactMethod string `yaml:"contact_method"`
	// AfterMinutes is the delay after the page, 0 to maxMinutes.
	AfterMinutes int `yaml:"after_minutes"`
	// Urgency limits the rule to incidents of that urgency (high or low);
	// empty means any.
	Urgency hypercare.Urgency `yaml:"urgency"`
}

// Users returns the users declared in the file, in file order, with the
// defaults applied: role responder when none is given, contact methods
// verified unless the file says verified: false, and, for a user without
// notification rules, one rule per contact method at 0 minutes for any
// urgency, so that declaring a contact method is enough to be paged on it.
// A nil Config has no users.
func (c *Config) Users() []hypercare.User {
	if c == nil {
		return nil
	}
	var users []hypercare.User
	for _, u := range c.UserSpecs {
		users = append(users, u.domain())
	}
	return users
}

// domain converts the user to the domain type, applying the defaults
// documented on Config.Users.
func (u *User) domain() hypercare.User {
	out := hypercare.User{
		ID:       u.ID,
		Name:     u.Name,
		Email:    u.Email,
		TimeZone: u.TimeZone,
		Role:     u.Role,
		Teams:    append([]string(nil), u.Teams...),
	}
	if out.Role == "" {
		out.Role = hypercare.RoleResponder
	}
	for _, cm := range u.ContactMethods {
		out.ContactMethods = append(out.ContactMethods, hypercare.ContactMethod{
			ID:       cm.ID,
			Type:     cm.Type,
			Address:  cm.Address,
			Verified: cm.Verified == nil || *cm.Verified,
		})
	}
	for _, r := range u.NotificationRules {
		out.NotificationRules = append(out.NotificationRules, hypercare.NotificationRule{
			ContactMethod: r.ContactMethod,
			After:         time.Duration(r.AfterMinutes) * time.Minute,
			Urgency:       r.Urgency,
		})
	}
	if len(u.NotificationRules) == 0 {
		for _, cm := range u.ContactMethods {
			out.NotificationRules = append(out.NotificationRules, hypercare.NotificationRule{ContactMethod: cm.ID})
		}
	}
	return out
}

// checkUsers validates the users and returns the set of declared IDs
// (including malformed ones, so a bad ID is one problem, not one per
// reference to it).
func (c *checker) checkUsers(users []User, teams map[string]bool) map[string]bool {
	declared := map[string]bool{}
	seen := map[string]string{}
	for i := range users {
		u := &users[i]
		path := fmt.Sprintf("users[%d]", i)
		c.checkID(path+".id", u.ID, "user", seen)
		declared[u.ID] = true
		c.checkRequired(path+".name", u.Name)
		if u.Email != "" && !validEmail(u.Email) {
			c.add(path+".email", "must be an email address such as alice@example.com")
		}
		if u.TimeZone != "" {
			c.checkZone(path+".time_zone", u.TimeZone)
		}
		if u.Role != "" && !u.Role.Valid() {
			c.add(path+".role", "must be one of admin, responder, viewer")
		}
		for j, team := range u.Teams {
			c.checkRef(fmt.Sprintf("%s.teams[%d]", path, j), team, "team", "teams", teams)
		}
		methods := map[string]bool{}
		methodSeen := map[string]string{}
		for j := range u.ContactMethods {
			cm := &u.ContactMethods[j]
			mpath := fmt.Sprintf("%s.contact_methods[%d]", path, j)
			c.checkID(mpath+".id", cm.ID, "contact method", methodSeen)
			methods[cm.ID] = true
			c.checkContactMethod(mpath, cm)
		}
		for j, r := range u.NotificationRules {
			c.checkRule(fmt.Sprintf("%s.notification_rules[%d]", path, j), r, u.ID, methods)
		}
	}
	return declared
}

// checkContactMethod checks a method's type and address, resolving an
// address given as "${NAME}". Messages never echo the address: webhook
// URLs often carry a secret.
func (c *checker) checkContactMethod(path string, cm *ContactMethod) {
	typeOK := cm.Type.Valid()
	switch {
	case cm.Type == "":
		c.add(path+".type", "is required")
	case !typeOK:
		c.add(path+".type", "must be one of %s", contactTypes)
	}
	if cm.Address == "" {
		c.add(path+".address", "is required")
		return
	}
	cm.Address = c.resolveSecret(path+".address", cm.Address)
	if cm.Address == "" || !typeOK {
		return // the resolution failed (reported) or the type is unknown
	}
	switch cm.Type {
	case hypercare.ContactEmail:
		if !validEmail(cm.Address) {
			c.add(path+".address", "must be an email address such as alice@example.com")
		}
	case hypercare.ContactSMS, hypercare.ContactVoice:
		if !validE164(cm.Address) {
			c.add(path+".address", "must be a phone number in E.164 form, such as +447700900001")
		}
	case hypercare.ContactSlack:
		if !validSlackID(cm.Address) && !validHTTPURL(cm.Address) {
			c.add(path+".address", "must be a Slack channel or user ID (C…, G…, D…, U…, W…) or an incoming-webhook URL")
		}
	default: // webhook, push, teams, discord, mattermost, ntfy
		if !validHTTPURL(cm.Address) {
			c.add(path+".address", "must be an absolute http or https URL")
		}
	}
}

// checkRule checks one notification rule of the user userID, whose
// contact method IDs are methods.
func (c *checker) checkRule(path string, r NotificationRule, userID string, methods map[string]bool) {
	switch {
	case r.ContactMethod == "":
		c.add(path+".contact_method", "is required")
	case !methods[r.ContactMethod]:
		c.add(path+".contact_method", "user %q has no contact method %q", userID, r.ContactMethod)
	}
	c.checkMinutes(path+".after_minutes", r.AfterMinutes, 0)
	c.checkUrgency(path+".urgency", r.Urgency)
}

// checkUrgency checks an optional urgency.
func (c *checker) checkUrgency(path string, u hypercare.Urgency) {
	if u != "" && u != hypercare.UrgencyHigh && u != hypercare.UrgencyLow {
		c.add(path, "must be high or low")
	}
}

// checkMinutes checks a delay in minutes: at least lowest and at most
// maxMinutes.
func (c *checker) checkMinutes(path string, m, lowest int) {
	if m < lowest || m > maxMinutes {
		c.add(path, "must be between %d and %d (a week)", lowest, maxMinutes)
	}
}

// checkZone checks an IANA time zone name. "Local" and "" are refused
// because they would mean a different zone on every machine.
func (c *checker) checkZone(path, name string) {
	if _, err := oncall.LoadZone(name); err != nil {
		c.add(path, "must be an IANA time zone name such as Europe/London, not %q", name)
	}
}

// checkRef checks a reference to an object of kind declared under the
// section named section; an empty reference is reported as missing.
func (c *checker) checkRef(path, id, kind, section string, declared map[string]bool) {
	switch {
	case id == "":
		c.add(path, "is required")
	case !declared[id]:
		c.add(path, "%s %q is not declared under %s", kind, id, section)
	}
}

// validEmail reports whether s is a bare email address (no display name),
// as net/mail reads them.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// validE164 reports whether s is an E.164 phone number: '+', a country code
// not starting with 0, and at most 15 digits in all. SMS and voice
// providers want this form; it also rules out local numbers that would
// dial somewhere else from another country.
func validE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validHTTPURL reports whether s is an absolute http or https URL with a
// host.
func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}
