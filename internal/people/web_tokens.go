package people

import (
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/web"
)

type tokensPage struct {
	Tokens  page.List[auth.Token]
	All     bool
	Secret  string     // set once, right after creation
	Created auth.Token // the token just created
	Now     time.Time
}

func (m *Module) tokensData(c *web.Ctx, all bool) (tokensPage, error) {
	q := c.R.URL.Query()
	pr, err := page.Parse(q, auth.TokenSort, "-created_at", "k.id")
	if err != nil {
		return tokensPage{}, err
	}
	pr.Limit = page.MaxLimit
	list, err := m.auth.ListTokens(c.R.Context(), *c.User, all, pr)
	if err != nil {
		return tokensPage{}, err
	}
	return tokensPage{Tokens: list, All: all, Now: time.Now()}, nil
}

func (m *Module) tokenList(c *web.Ctx) error {
	all := c.R.URL.Query().Get("all") == "1" && c.User.CanManage() == nil
	d, err := m.tokensData(c, all)
	if err != nil {
		return err
	}
	return c.Render("tokens", "settings.tokens", "settings", d)
}

func (m *Module) tokenCreate(c *web.Ctx) error {
	in := auth.NewToken{Name: c.Form("name")}
	var err error
	if days := c.Form("expires_days"); days != "" {
		n, perr := strconv.Atoi(days)
		if perr != nil || n < 1 || n > 3650 {
			var fe errs.Fields
			fe.Add("expires_days", "out_of_range", "must be a whole number of days from %d to %d", 1, 3650)
			err = fe.Err()
		} else {
			exp := time.Now().UTC().Add(time.Duration(n) * 24 * time.Hour)
			in.ExpiresAt = &exp
		}
	}
	var secret string
	var created auth.Token
	if err == nil {
		secret, created, err = m.auth.CreateToken(c.R.Context(), *c.User, c.User.UserID, in)
	}
	d, derr := m.tokensData(c, false)
	if derr != nil {
		return derr
	}
	if err != nil {
		return c.RenderForm("tokens", "settings.tokens", "settings", d, err)
	}
	// Shown on this response only: the secret is not stored anywhere.
	d.Secret, d.Created = secret, created
	return c.Render("tokens", "settings.tokens", "settings", d)
}

func (m *Module) tokenRevoke(c *web.Ctx) error {
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	if _, err := m.auth.RevokeToken(c.R.Context(), *c.User, id); err != nil {
		return err
	}
	back := "/settings/tokens"
	if c.Form("all") == "1" {
		back += "?all=1"
	}
	return c.Redirect(back, "flash.token_revoked")
}
