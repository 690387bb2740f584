package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"newsdesk"
	"newsdesk/auth"
)

const usersUsage = `usage:
  newsdesk users add USERNAME [--role editor|admin] [--name "Full Name"]   (password read from stdin)
  newsdesk users passwd USERNAME                                          (new password read from stdin)
  newsdesk users remove USERNAME
  newsdesk users list`

// users manages the accounts of the admin. Passwords are read from the
// first line of standard input, never from the command line (where other
// users of the machine could see them).
func (m *Main) users(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &exitError{2, errors.New(usersUsage)}
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("users "+verb, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	role := fs.String("role", string(newsdesk.RoleEditor), "role: editor or admin")
	name := fs.String("name", "", "full name shown in the audit log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()

	switch verb {
	case "list":
		us, err := st.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLE\tCREATED")
		for _, u := range us {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Name, u.Role, u.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	case "add", "passwd", "remove":
	default:
		return &exitError{2, fmt.Errorf("users: unknown verb %q\n%s", verb, usersUsage)}
	}
	if len(args) != 1 {
		return &exitError{2, errors.New(usersUsage)}
	}
	username := args[0]
	switch verb {
	case "add":
		r := newsdesk.Role(*role)
		if r != newsdesk.RoleEditor && r != newsdesk.RoleAdmin {
			return fmt.Errorf("users add: unknown role %q (editor or admin)", *role)
		}
		hash, err := m.readPassword()
		if err != nil {
			return fmt.Errorf("users add: %w", err)
		}
		u := &newsdesk.User{Username: username, Name: *name, Role: r, PasswordHash: hash}
		if err := st.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("users add: %s", newsdesk.ErrorMessage(err))
		}
		fmt.Fprintf(m.Stdout, "added %s %s\n", u.Role, u.Username)
	case "passwd":
		u, err := st.UserByUsername(ctx, username)
		if err != nil {
			return fmt.Errorf("users passwd: %s", newsdesk.ErrorMessage(err))
		}
		if u.PasswordHash, err = m.readPassword(); err != nil {
			return fmt.Errorf("users passwd: %w", err)
		}
		if err := st.UpdateUser(ctx, u); err != nil {
			return fmt.Errorf("users passwd: %s", newsdesk.ErrorMessage(err))
		}
		fmt.Fprintf(m.Stdout, "password of %s changed\n", u.Username)
	case "remove":
		u, err := st.UserByUsername(ctx, username)
		if err != nil {
			return fmt.Errorf("users remove: %s", newsdesk.ErrorMessage(err))
		}
		if err := st.DeleteUser(ctx, u.ID); err != nil {
			return fmt.Errorf("users remove: %s", newsdesk.ErrorMessage(err))
		}
		fmt.Fprintf(m.Stdout, "removed %s\n", u.Username)
	}
	return nil
}

// readPassword reads a password from the first line of stdin and hashes it.
func (m *Main) readPassword() (string, error) {
	if stdinIsTerminal(m.Stdin) {
		fmt.Fprint(m.Stderr, "password: ")
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input")
	}
	pw := strings.TrimRight(line, "\r\n")
	hash, err := auth.HashPassword(pw, auth.DefaultParams)
	if err != nil {
		return "", errors.New(newsdesk.ErrorMessage(err))
	}
	return hash, nil
}
