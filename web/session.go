package web

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"golang.org/x/crypto/bcrypt"
)

// Cookie names. The session cookie carries a random token whose SHA-256 is
// the session's key in the store; the login cookie is the double-submit
// CSRF token of the login form (there is no session yet to tie it to).
const (
	sessionCookie = "hypercare_session"
	loginCookie   = "hypercare_login"
)

// view is what every page's layout needs: who is signed in, the CSRF
// token of their forms, and the page's title and error.
type view struct {
	Title  string
	Nav    string
	User   hypercare.User
	CSRF   string
	CanAct bool
	Admin  bool
	Error  string
	// Live names the stream-driven fragment the page refreshes, if any.
	Live string
	// Unsaved is the note of a post refused before it reached the incident
	// (an expired session, a stale form): the error page hands it back to
	// copy, since nothing else keeps it.
	Unsaved string
	// Zone is where the user reads times: their time_zone, else UTC (nil
	// before sign-in, which the time helpers read as UTC). Every page and
	// live fragment formats its times with it (funcs.go's when).
	Zone *time.Location
}

// session is the signed-in caller of a request.
type session struct {
	token string
	user  hypercare.User
}

// newSecret returns 32 random bytes, URL-safe encoded.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashSecret is how session tokens are stored: SHA-256 suffices for 256-bit
// random secrets, and a stolen table yields no usable cookie.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// csrfFor is the synchronizer token of a session's forms: derived from the
// session token, so it needs no storage, changes with every login, and a
// page of another origin cannot compute it (the cookie is HttpOnly).
func csrfFor(sessionToken string) string {
	sum := sha256.Sum256([]byte("hypercare-csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func sameSecret(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// current returns the request's session, or an unauthenticated error
// saying why there is none (no cookie, unknown, expired or revoked, or a
// user no longer in the config).
func (u *UI) current(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, hypercare.Errorf(hypercare.CodeUnauthenticated, "you are not signed in")
	}
	userID, err := u.opts.Sessions.SessionUser(r.Context(), hashSecret(c.Value), u.opts.Clock.Now())
	if hypercare.IsNotFound(err) || hypercare.ErrorCode(err) == hypercare.CodeInvalid {
		return nil, hypercare.Errorf(hypercare.CodeUnauthenticated, "your session has expired or was ended; sign in again")
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	user, ok := u.opts.Escalation.Directory().User(userID)
	if !ok {
		return nil, hypercare.Errorf(hypercare.CodeUnauthenticated, "your user is no longer in the configuration")
	}
	return &session{token: c.Value, user: user}, nil
}

// Principal returns the signed-in user of a request carrying a valid
// session cookie, with their role from the config. The API uses it so the
// page's live stream needs no bearer token.
func (u *UI) Principal(r *http.Request) (hypercare.Principal, bool) {
	s, err := u.current(r)
	if err != nil {
		return hypercare.Principal{}, false
	}
	return hypercare.Principal{TokenID: "user:" + s.user.ID, Name: s.user.Name, Role: s.user.Role}, true
}

// page wraps h: it runs only for a signed-in user with at least role min,
// and a POST only with the session's CSRF token. A GET without a session
// goes to the login page; a refused POST gets a page saying why.
func (u *UI) page(min hypercare.Role, h func(http.ResponseWriter, *http.Request, *view)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := u.current(r)
		if err != nil && hypercare.ErrorCode(err) == hypercare.CodeUnauthenticated && r.Method == http.MethodGet {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err != nil {
			u.fail(w, r, &view{Unsaved: unsaved(r)}, err)
			return
		}
		v := &view{User: s.user, CSRF: csrfFor(s.token), CanAct: s.user.Role.Rank() >= hypercare.RoleResponder.Rank(),
			Admin: s.user.Role == hypercare.RoleAdmin, Zone: u.zones.userZone(u.opts.Escalation.Directory(), s.user)}
		if r.Method != http.MethodGet && !sameSecret(r.PostFormValue("csrf"), v.CSRF) {
			v.Unsaved = unsaved(r)
			u.fail(w, r, v, hypercare.Errorf(hypercare.CodePermissionDenied,
				"the form's security token is missing or out of date; reload the page and try again"))
			return
		}
		if s.user.Role.Rank() < min.Rank() {
			u.fail(w, r, v, hypercare.Errorf(hypercare.CodePermissionDenied,
				"this needs the %s role; you are a %s", min, s.user.Role))
			return
		}
		h(w, r, v)
	}
}

// unsaved is the note a refused POST carried ("" for a GET or another
// form), for the error page to hand back.
func unsaved(r *http.Request) string {
	if r.Method != http.MethodPost {
		return ""
	}
	return r.PostFormValue("message")
}

func (u *UI) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: u.secure || r.TLS != nil}
}

// loginView is the login page's data.
type loginView struct {
	view
	Username, Next, LoginCSRF string
}

func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	u.showLogin(w, r, http.StatusOK, r.URL.Query().Get("next"), "", "")
}

func (u *UI) showLogin(w http.ResponseWriter, r *http.Request, status int, next, username, msg string) {
	tok := newSecret()
	http.SetCookie(w, u.cookie(r, loginCookie, tok, 3600))
	lv := &loginView{view: view{Title: "Sign in", Error: msg}, Username: username, Next: localPath(next), LoginCSRF: tok}
	u.render(w, r, status, "login", lv)
}

// login checks the form, throttles failures per username and per client
// address, and on success ends the browser's previous session and starts
// a new one.
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := r.PostFormValue("next")
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameSecret(r.PostFormValue("csrf"), c.Value) {
		u.showLogin(w, r, http.StatusForbidden, next, username, "The sign-in form expired; please try again.")
		return
	}
	ip := clientIP(r, u.opts.TrustedProxies)
	done, wait, blocked := u.throttle.begin(username, throttleAddr(ip))
	if blocked {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		u.showLogin(w, r, http.StatusTooManyRequests, next, username,
			fmt.Sprintf("Too many failed sign-ins. Try again in %d minute(s).", int(wait.Minutes())+1))
		return
	}
	user, ok := u.opts.Escalation.Directory().User(username)
	if err := u.checkPassword(r, username, ok, password); err != nil {
		done(false)
		// The username as typed is logged only when it names a user:
		// people type their password there.
		who := slog.String("user", user.ID)
		if !ok {
			who = slog.Bool("unknown_user", true)
		}
		u.opts.Logger.Info("failed sign-in", who, slog.String("ip", ip))
		u.showLogin(w, r, http.StatusUnauthorized, next, username, "Wrong username or password.")
		return
	}
	done(true)
	// The session this browser had (the same user's or another's) ends:
	// a copy of its cookie, taken from a shared screen or planted before
	// sign-in, must not stay valid until it expires.
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := u.opts.Sessions.DeleteSession(r.Context(), hashSecret(c.Value)); err != nil {
			u.fail(w, r, &view{}, err)
			return
		}
	}
	tok := newSecret()
	now := u.opts.Clock.Now()
	if err := u.opts.Sessions.CreateSession(r.Context(), hashSecret(tok), user.ID, now, now.Add(sessionLifetime)); err != nil {
		u.fail(w, r, &view{}, err)
		return
	}
	http.SetCookie(w, u.cookie(r, sessionCookie, tok, int(sessionLifetime.Seconds())))
	http.SetCookie(w, u.cookie(r, loginCookie, "", -1))
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}

// bcryptCost is the work factor of stored passwords (and, unless
// Options.PasswordCost says otherwise, of the dummy hash, so both paths of
// a sign-in take the same time).
const bcryptCost = 11

// dummyCost is the work factor of the dummy hash: Options.PasswordCost,
// else the stored passwords' (bcryptCost).
func (u *UI) dummyCost() int { return cmp.Or(u.opts.PasswordCost, bcryptCost) }

func (u *UI) checkPassword(r *http.Request, userID string, known bool, password string) error {
	u.dummy.once.Do(func() {
		u.dummy.hash, _ = bcrypt.GenerateFromPassword([]byte(newSecret()), u.dummyCost()) // never fails for a 43-byte input
	})
	hash := u.dummy.hash
	if known {
		h, err := u.opts.Sessions.PasswordHash(r.Context(), userID)
		if err == nil {
			hash = []byte(h)
		} else if !hypercare.IsNotFound(err) {
			return err
		} else {
			known = false
		}
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err == nil && !known {
		return errors.New("no such user")
	}
	return err
}

// logout ends the request's session. Without a valid one (expired,
// ended elsewhere, no cookie) there is nothing to end: the caller goes to
// the sign-in page, where signing out leads, with the dead cookie cleared
// rather than an error page saying the session has expired.
func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	s, err := u.current(r)
	if err != nil && hypercare.ErrorCode(err) != hypercare.CodeUnauthenticated {
		u.fail(w, r, &view{}, err)
		return
	}
	if err == nil {
		if !sameSecret(r.PostFormValue("csrf"), csrfFor(s.token)) {
			u.fail(w, r, &view{User: s.user}, hypercare.Errorf(hypercare.CodePermissionDenied,
				"the form's security token is missing or out of date; reload the page and try again"))
			return
		}
		if err := u.opts.Sessions.DeleteSession(r.Context(), hashSecret(s.token)); err != nil {
			u.fail(w, r, &view{}, err)
			return
		}
	}
	http.SetCookie(w, u.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// localPath keeps a post-login redirect on this site: only a plain path
// starting with one slash (no scheme, host, backslash or control
// character, which browsers strip or rewrite into "//host"), else the
// incidents page.
func localPath(p string) string {
	u, err := url.Parse(p)
	bad := err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(p, "/") ||
		strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/login") ||
		strings.ContainsFunc(p, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f })
	if bad {
		return "/incidents"
	}
	return p
}

// throttleAddr is the address whose sign-in failures count together: an
// IPv4 address, or an IPv6 address's /64 network, which one client
// (a home line, a cloud machine) holds whole and could send each guess
// from a new address of. IPv4 written as IPv6 (::ffff:a.b.c.d) is IPv4.
func throttleAddr(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap().WithZone(""); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64) // cannot fail for an IPv6 address
	return p.String()
}

// HashPassword returns the bcrypt hash to store for a new password, after
// checking it is long enough to resist guessing and short enough for
// bcrypt (72 bytes).
func HashPassword(password string) (string, error) {
	switch {
	case len([]rune(password)) < 10:
		return "", hypercare.InvalidFields("invalid password", hypercare.FieldError{Field: "password", Message: "must be at least 10 characters"})
	case len(password) > 72:
		return "", hypercare.InvalidFields("invalid password", hypercare.FieldError{Field: "password", Message: "must be at most 72 bytes"})
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}
