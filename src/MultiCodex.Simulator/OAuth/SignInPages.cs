using System.Net;
using System.Text;

namespace MultiCodex.Simulator.OAuth;

/// <summary>The minimal HTML a person sees in the demo: the authorize sign-in page and the device-code page.</summary>
internal static class SignInPages
{
    public static IResult Authorize(AuthorizeRequest request, IReadOnlyList<SimAccount> accounts, string? error = null, int status = 200)
    {
        var body = new StringBuilder();
        body.Append("<h1>Sign in to ChatGPT (simulator)</h1>");
        AppendError(body, error);
        body.Append("<form method=\"post\" action=\"/oauth/authorize\">");
        foreach (var (name, value) in request.HiddenFields())
        {
            if (value is not null)
            {
                body.Append($"<input type=\"hidden\" name=\"{name}\" value=\"{Encode(value)}\">");
            }
        }

        AppendEmailField(body, accounts, request.LoginHint);
        body.Append("<p><button type=\"submit\" name=\"action\" value=\"approve\">Sign in</button> ");
        body.Append("<button type=\"submit\" name=\"action\" value=\"deny\">Deny</button></p></form>");
        return Page("Sign in", body, status);
    }

    public static IResult Device(IReadOnlyList<SimAccount> accounts, string? userCode, string? message = null, string? error = null, int status = 200)
    {
        var body = new StringBuilder();
        body.Append("<h1>Device sign-in (simulator)</h1>");
        AppendError(body, error);
        if (message is not null)
        {
            body.Append($"<p class=\"ok\">{Encode(message)}</p>");
        }

        body.Append("<form method=\"post\" action=\"/codex/device\">");
        body.Append($"<p><label>Code <input name=\"user_code\" value=\"{Encode(userCode ?? "")}\" autocomplete=\"off\"></label></p>");
        AppendEmailField(body, accounts, null);
        body.Append("<p><button type=\"submit\">Continue</button></p></form>");
        return Page("Device sign-in", body, status);
    }

    private static void AppendEmailField(StringBuilder body, IReadOnlyList<SimAccount> accounts, string? preferred)
    {
        var prefill = preferred ?? accounts.FirstOrDefault()?.Email ?? "";
        body.Append($"<p><label>Email <input name=\"email\" type=\"email\" list=\"accounts\" value=\"{Encode(prefill)}\"></label></p>");
        body.Append("<datalist id=\"accounts\">");
        foreach (var account in accounts)
        {
            body.Append($"<option value=\"{Encode(account.Email)}\">{Encode(account.Plan)}</option>");
        }

        body.Append("</datalist>");
    }

    private static void AppendError(StringBuilder body, string? error)
    {
        if (error is not null)
        {
            body.Append($"<p class=\"error\">{Encode(error)}</p>");
        }
    }

    private static IResult Page(string title, StringBuilder body, int status) => Results.Content(
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>"
        + "<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}.error{color:#b00}.ok{color:#070}"
        + "input{width:100%;padding:.4rem}button{padding:.4rem 1rem}</style></head><body>"
        + body + "</body></html>",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        status);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
