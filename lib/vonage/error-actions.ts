import { describeErrorCode } from "@/lib/vonage/error-codes";
import { describeSmsErrorCode } from "@/lib/vonage/sms-error-codes";

/**
 * What to do about an error code, in five words or so, for the insights' top errors: the
 * explanations of lib/vonage/error-codes.ts and sms-error-codes.ts sorted into the few things
 * a sender can do. Messages API codes are 1000 and up; SMS API receipt codes are below 100.
 * Pure data, safe for client components.
 */

export const ERROR_ACTIONS = {
  retry: "Retry later: the failure is temporary.",
  fix_request: "Fix the request: a parameter, the sender or the content was refused.",
  drop_number: "Drop the number: it cannot receive messages.",
  fix_template: "Fix the template, its language or its parameters.",
  wait_for_customer: "Wait for the customer to write, or send a template.",
  fix_account: "Fix the account: balance, access or linked page.",
  ask_vonage: "Ask Vonage support if it repeats, with the message id.",
} as const;

export type ErrorAction = keyof typeof ERROR_ACTIONS;

const BY_CODE: Record<string, ErrorAction> = {};
const assign = (action: ErrorAction, codes: string) => codes.split(" ").forEach((code) => (BY_CODE[code] = action));
// Messages API
assign("retry", "1000 1030 1100 1180 1220 1230 1241 1331");
assign("fix_request", "1010 1020 1021 1040 1090 1120 1130 1140 1150 1160 1320 1380 1381 1382 1400 1410 1420 1430 1440 1450");
assign("drop_number", "1050 1170 1190 1240 1250 1260 1270 1280 1290 1300 1310");
assign("fix_template", "1022");
assign("wait_for_customer", "1340");
assign("fix_account", "1060 1070 1080 1350 1370");
assign("ask_vonage", "1200 1210 1330 1360");
// SMS API delivery receipts (err-code)
assign("retry", "2 7 8 12 15");
assign("drop_number", "3 4 9 11 13 14");
assign("fix_request", "6 10 50 51 52 53 54");
assign("ask_vonage", "1 5 99");

export function errorActionOf(code: string): { action: ErrorAction; text: string } {
  const action = BY_CODE[code] ?? "ask_vonage";
  return { action, text: ERROR_ACTIONS[action] };
}

/** The code's title: the Messages API's or the SMS API's table, by its range; the code itself when unknown. */
export function errorTitleOf(code: string): string {
  const info = Number(code) >= 1000 ? describeErrorCode(code) : describeSmsErrorCode(code);
  return info?.title ?? code;
}
