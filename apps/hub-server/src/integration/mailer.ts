import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { AttemptOutcome } from './delivery-engine';

/**
 * How e-mails (alerts, receipts) leave the hub: one SMTP server HQ configures (`pos-hub serve --smtp-*`).
 */
export interface Mailer {
  send(
    to: readonly string[],
    message: { subject: string; text: string; html?: string },
  ): Promise<AttemptOutcome>;
  close(): void;
}

export const SmtpConfigSchema = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65_535),
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: z.boolean().default(false),
  user: z.string().min(1).max(255).optional(),
  password: z.string().min(1).max(1000).optional(),
  from: z.email({ error: 'The sender (--smtp-from) must be an e-mail address.' }),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});
export type SmtpConfig = z.input<typeof SmtpConfigSchema>;

export function createSmtpMailer(input: SmtpConfig): Mailer {
  const config = SmtpConfigSchema.parse(input);
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.user === undefined ? {} : { auth: { user: config.user, pass: config.password ?? '' } }),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
  });
  return {
    async send(to, message) {
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: [...to],
          subject: message.subject,
          text: message.text,
          ...(message.html === undefined ? {} : { html: message.html }),
        });
        return info.rejected.length === 0
          ? { ok: true, status: null, error: null }
          : {
              ok: false,
              status: null,
              error: `The mail server refused ${info.rejected.map(String).join(', ')}.`,
            };
      } catch (error) {
        const responseCode = (error as { responseCode?: unknown }).responseCode;
        const reason = error instanceof Error ? error.message : String(error);
        return {
          ok: false,
          status: typeof responseCode === 'number' ? responseCode : null,
          error: `The mail server did not take the e-mail: ${reason}`,
        };
      }
    },
    close: () => transport.close(),
  };
}
