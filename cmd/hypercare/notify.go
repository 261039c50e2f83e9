package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newNotifyCmd() *cobra.Command { return newNotifyCmdEnv(processEnv()) }

// newNotifyCmdEnv is the contact method commands: a test page and
// verification, so a responder's methods are known to work before the
// peak. They need an admin token (tokens are not tied to users).
func newNotifyCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Send a test page or a verification code to a user's contact method (admin)",
	}
	f.register(cmd)
	cmd.AddCommand(newNotifyTestCmd(f), newNotifyVerifyCmd(f))
	return cmd
}

func newNotifyTestCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "test USER CONTACT_METHOD",
		Short: "Send \"Test page from Hypercare\" now and say whether the channel accepted it",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			if err := c.TestContactMethod(cmd.Context(), args[0], args[1]); err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"delivered": true, "user": args[0], "contact_method": args[1]})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "test page delivered to %s's %s\n", args[0], args[1])
			return err
		},
	}
}

func newNotifyVerifyCmd(f *clientFlags) *cobra.Command {
	var code string
	cmd := &cobra.Command{
		Use:   "verify USER CONTACT_METHOD [--code 123456]",
		Short: "Send a verification code, or confirm the code that arrived (--code)",
		Long: "Without --code, sends a new 6-digit code to the contact method (valid 15 minutes, 5 tries).\n" +
			"With --code, confirms it: the method is then shown as verified.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if code == "" {
				sent, err := c.StartVerification(cmd.Context(), args[0], args[1])
				if err != nil {
					return explain(err)
				}
				if format == outputJSON {
					return printJSON(out, sent)
				}
				_, err = fmt.Fprintf(out, "code sent to %s's %s; it expires %s: confirm it with --code\n",
					args[0], args[1], f.env.when(&sent.ExpiresAt))
				return err
			}
			v, err := c.ConfirmVerification(cmd.Context(), args[0], args[1], code)
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(out, v)
			}
			_, err = fmt.Fprintf(out, "%s's %s is verified\n", args[0], args[1])
			return err
		},
	}
	cmd.Flags().StringVar(&code, "code", "", "the 6-digit code that arrived")
	return cmd
}
