/** A client's retrieve loop: long-poll, hand every message over, acknowledge it in the next poll. */
import { type Envelope, type Identity, type RetrieveResponse, signRetrieve } from "@wisp/lib";
import type { JsonClient } from "./http-post";

export async function longPoll(
  client: JsonClient,
  apiUrl: string,
  who: Identity,
  signal: AbortSignal,
  onMessage: (message: Envelope) => void,
): Promise<void> {
  let ack: string[] = [];
  while (!signal.aborted) {
    const request = signRetrieve(who, Date.now(), ack, 5_000);
    const response = await client.post(
      `${apiUrl}/v1/retrieve`,
      JSON.stringify(request),
      AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
    );
    if (response.status !== 200) throw new Error(`retrieve answered ${response.status}: ${response.text}`);
    const answer = JSON.parse(response.text) as RetrieveResponse;
    ack = [];
    for (const { expiresAt: _, ...message } of answer.messages) {
      onMessage(message);
      ack.push(message.id);
    }
  }
}
