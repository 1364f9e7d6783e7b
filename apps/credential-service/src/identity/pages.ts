/**
 * The embedded sign-in's pages, rendered on the server: no script at all and no inline style (one
 * stylesheet from /oidc/assets), so the strict CSP below holds; every field has its label; the form
 * carries a CSRF token. What a person typed is never repeated, except the email put back in its field.
 */
export const REVERIFY_HEADING = 'Enter your Password and verify your identity';

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Credential service</title>
<link rel="stylesheet" href="/oidc/assets/sign-in.css">
</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>
`;
}

export interface SignInPage {
  uid: string;
  csrf: string;
  /** Re-verification (prompt=login / max_age with a signed-in person): only the password is asked. */
  reverify: { email: string } | null;
  email?: string;
  error?: string;
}

export function signInPage(view: SignInPage): string {
  const action = `/oidc/interaction/${encodeURIComponent(view.uid)}/login`;
  const error = view.error ? `<p class="error" role="alert" id="sign-in-error">${escape(view.error)}</p>\n` : '';
  const described = view.error ? ' aria-describedby="sign-in-error"' : '';
  if (view.reverify) {
    return page(
      'Verify your identity',
      `<h1>${REVERIFY_HEADING}</h1>
<p>You are signed in as <strong>${escape(view.reverify.email)}</strong>. This action needs your password again.</p>
${error}<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${escape(view.csrf)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus${described}>
<button type="submit">Verify</button>
</form>`,
    );
  }
  const emailValue = view.email ? ` value="${escape(view.email)}"` : ' autofocus';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>Developer Space: API keys and signing keys.</p>
${error}<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${escape(view.csrf)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required${emailValue}${described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${view.email ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function errorPage(heading: string, message: string): string {
  return page(heading, `<h1>${escape(heading)}</h1>\n<p>${escape(message)}</p>\n<p><a href="/console/">Back to the console</a></p>`);
}

export function logoutPage(form: string): string {
  return page('Sign out', `<h1>Sign out</h1>\n<p>Sign out of the Developer Space?</p>\n${form}`);
}

export const STYLESHEET = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f4f5f7;color:#1b1f24;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.card{background:#fff;width:min(26rem,100% - 2rem);padding:2rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 .5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;padding:.6rem;font:inherit;border:1px solid #6b7280;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #1d4ed8;outline-offset:2px}
button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;border-radius:4px;
cursor:pointer}
button:hover{background:#1e40af}
.error{color:#991b1b;background:#fef2f2;border:1px solid #fca5a5;border-radius:4px;padding:.5rem .75rem}
a{color:#1d4ed8}
`;

/** The pages' CSP: nothing but this origin's stylesheet; forms post here (and redirect on to the console). */
export function contentSecurityPolicy(formTargets: string[]): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
