/**
 * The embedded sign-in page as a person uses it: labels "Email" and "Password", button "Sign in"; the
 * password re-verification (RFC 9470 step-up, prompt=login) under the heading "Enter your Password and
 * verify your identity", button "Verify".
 */
import type { Page } from 'playwright-core';
import type { PageGlobals } from './page-globals';

export interface LocalUser {
  email: string;
  password: string;
}

export const REVERIFY_HEADING = 'Enter your Password and verify your identity';

/** Fills and submits the sign-in form with the mouse-free defaults of a person (labels, button name). */
export async function signIn(page: Page, user: LocalUser): Promise<void> {
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Keyboard only: focus moves with Tab from the top of the page, Enter submits. */
export async function signInWithKeyboard(page: Page, user: LocalUser, maxTabs = 20): Promise<void> {
  const email = page.getByLabel('Email');
  const password = page.getByLabel('Password');
  const focusOn = async (target: typeof email, what: string) => {
    for (let i = 0; i < maxTabs; i++) {
      if (await target.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`${what} never got the focus with Tab (${maxTabs} presses)`);
  };
  await focusOn(email, 'Email');
  await page.keyboard.type(user.email);
  await focusOn(password, 'Password');
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
}

/** On the re-verification page: checks the heading, enters the password, presses Verify. */
export async function reverify(page: Page, password: string): Promise<void> {
  await page.getByRole('heading', { name: REVERIFY_HEADING }).waitFor();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Verify' }).click();
}
