/**
 * What the product answers to an opt-out, opt-in or help keyword that Twilio does not answer
 * itself (the Spanish words; docs/privacy.md "Opt-out and help keywords"): one text, in the
 * sender's language, naming the agency, how to undo it, and how to reach a person. Twilio's own
 * words (STOP, START, HELP …) get Twilio's answer and nothing from us.
 */
import type { KeywordLang, KeywordReceipt } from './optout';

export interface KeywordReplyContext {
  /** The agency's short name, as the texts sign off. */
  agency: string;
  /** The agency number (E.164): the number they texted, to call. */
  phone: string;
}

/** +13035550100 → (303) 555-0100; other numbers as given. */
function spoken(phone: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : phone;
}

type Answer = NonNullable<KeywordReceipt['answer']>;

const TEXTS: Record<KeywordLang, Record<Answer, (c: KeywordReplyContext, word: string) => string>> = {
  es: {
    opted_out: (c, word) =>
      `${c.agency}: No le enviaremos más mensajes de texto. Para volver a recibirlos, responda ALTA.` +
      // CANCELAR is also how someone might try to cancel a shift: say where that goes.
      (word === 'CANCELAR' ? ` Si quería cancelar un turno, llámenos al ${spoken(c.phone)}.` : ''),
    opted_in: (c) => `${c.agency}: Volverá a recibir nuestros mensajes de texto. Responda PARAR para dejar de recibirlos o AYUDA para ayuda.`,
    already_in: (c) => `${c.agency}: Ya recibe nuestros mensajes de texto. Responda PARAR para dejar de recibirlos o AYUDA para ayuda.`,
    twilio_block: (c) => `${c.agency}: Para volver a recibir nuestros mensajes de texto, responda START.`,
    help: (c) => `${c.agency}: mensajes sobre turnos y visitas de cuidado. Para hablar con una persona, llame al ${spoken(c.phone)}. Responda PARAR para no recibir más mensajes.`,
  },
  en: {
    opted_out: (c) => `${c.agency}: You will get no more texts from us. Reply START to get them again.`,
    opted_in: (c) => `${c.agency}: You will get our texts again. Reply STOP to stop them or HELP for help.`,
    already_in: (c) => `${c.agency}: You already get our texts. Reply STOP to stop them or HELP for help.`,
    twilio_block: (c) => `${c.agency}: To get our texts again, reply START.`,
    help: (c) => `${c.agency}: texts about care shifts and visits. To talk to a person, call ${spoken(c.phone)}. Reply STOP to get no more texts.`,
  },
};

/** The product's answer to a keyword text, or undefined when Twilio answers it (or nobody should). */
export function keywordReply(receipt: KeywordReceipt, context: KeywordReplyContext): string | undefined {
  if (receipt.answeredBy !== 'product' || !receipt.answer) return undefined;
  return TEXTS[receipt.lang][receipt.answer](context, receipt.word);
}
