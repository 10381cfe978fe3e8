// The "original source" that mapgate protects: only Sentry may fetch app.js.map,
// which embeds this file (sourcesContent) so stack traces show readable code.

const FEE_RATE = 0.029;        // 2.9 % card fee
const FIXED_FEE_CENTS = 30;    // plus 30 cents per payment
const MAX_AMOUNT_CENTS = 1000000;

function parseAmountCents(input) {
  const normalized = String(input).trim().replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(normalized)) {
    throw new RangeError("Not an amount: " + JSON.stringify(input));
  }
  return Math.round(Number(normalized) * 100);
}

function computeFeeCents(amountCents) {
  if (amountCents > MAX_AMOUNT_CENTS) {
    // Deliberate error so Sentry has something to symbolicate.
    throw new Error("Amount exceeds the limit of " + formatCents(MAX_AMOUNT_CENTS));
  }
  return Math.ceil(amountCents * FEE_RATE) + FIXED_FEE_CENTS;
}

function formatCents(cents) {
  return (cents / 100).toFixed(2) + " EUR";
}

function renderFee(form, output) {
  const amountCents = parseAmountCents(form.elements.amount.value);
  const feeCents = computeFeeCents(amountCents);
  output.textContent = "Fee: " + formatCents(feeCents)
    + ", total: " + formatCents(amountCents + feeCents);
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("fee-form");
  const output = document.getElementById("fee-output");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    renderFee(form, output);
  });
});
