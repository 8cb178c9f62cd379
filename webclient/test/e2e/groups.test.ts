/**
 * Three people in Chromium and one on the command line in one group, on two real nodes: names,
 * create, send, reply, react, read receipts and message info, delete for everyone, leave. Every
 * new view is photographed light and dark, desktop and phone.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { addressFragment } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bubble, cli, menu, PHONE, person, SHOTS, shoot } from "./group-steps";
import { addContact, CHROMIUM, send, startWorld, stopWorld, UI_TIMEOUT, type World } from "./helpers";

describe.runIf(existsSync(CHROMIUM))("a group of three browsers and a CLI", () => {
  let world: World | null = null;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    world = await startWorld();
  }, 120_000);

  afterAll(() => stopWorld(world), 60_000);

  it("create, send, reply, react, read receipts, delete for everyone, leave", async () => {
    const { nodes, outDir } = world!;
    const alice = await person(world!, nodes[0].apiUrl, "Alice", true);
    const bob = await person(world!, nodes[1].apiUrl, "Bob");
    const carol = await person(world!, nodes[0].apiUrl, "Carol");
    const dave = cli(join(outDir, "dave.json"), nodes[1].apiUrl);
    const daveAddress = (await dave("keygen", "--json")).map((l) => JSON.parse(l).address)[0] as string;
    await dave("name", "Dave");

    // Pasting an address into search offers a new chat with it.
    await alice.page.getByPlaceholder("Search or start a new chat").fill(bob.address);
    await shoot(alice.page, "1-search-new-chat");
    await alice.page.getByRole("button", { name: /New chat with this address/ }).click();
    await alice.page.getByLabel("Name", { exact: true }).fill("Bob");
    await alice.page.getByRole("button", { name: "Add contact" }).click();
    await alice.page.locator(".conv-title h2", { hasText: "Bob" }).waitFor({ timeout: UI_TIMEOUT });
    await addContact(alice.page, carol.address, "Carol");

    // A desktop chat closes: the list and its panels are what a phone shows.
    await alice.page.getByRole("button", { name: "Close chat" }).click();
    await alice.page.getByRole("button", { name: "New group" }).click();
    await alice.page.getByLabel("Group name").fill("Trip");
    await alice.page.getByRole("checkbox", { name: "Bob" }).check();
    await alice.page.getByRole("checkbox", { name: "Carol" }).check();
    await alice.page.getByLabel("Or paste addresses (one per line)").fill(daveAddress);
    await shoot(alice.page, "2-new-group");
    await alice.page.getByRole("button", { name: "Create group" }).click();
    await alice.page.locator(".conv-title h2", { hasText: "Trip" }).waitFor({ timeout: UI_TIMEOUT });

    for (const p of [bob.page, carol.page]) {
      await p.locator(".chat-item", { hasText: "Trip" }).click({ timeout: UI_TIMEOUT });
      await p.locator(".conv-title h2", { hasText: "Trip" }).waitFor({ timeout: UI_TIMEOUT });
    }
    const daveSaw = (await dave("poll", "--json")).map((l) => JSON.parse(l));
    const gid = daveSaw.find((l) => l.kind === "group")?.gid as string;
    expect(daveSaw.find((l) => l.kind === "group")).toMatchObject({ name: "Trip", version: 1 });

    await send(alice.page, "Who's in for Saturday? https://example.com/trail");
    for (const p of [bob.page, carol.page])
      await bubble(p, "Who's in for Saturday?").waitFor({ timeout: UI_TIMEOUT });
    // The sender's own name, from their profile, until someone names them.
    expect(await bob.page.locator(".row.in .author").first().textContent()).toBe("~ Alice");
    const link = bob.page.locator(".row.in .text a").first();
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await link.getAttribute("href")).toBe("https://example.com/trail");

    const fromDave = (await dave("poll", "--json", "--no-read-receipts")).map((l) => JSON.parse(l));
    const first = fromDave.find((l) => l.kind === "message");
    expect(first).toMatchObject({ group: gid, text: "Who's in for Saturday? https://example.com/trail" });
    await dave("send", gid, "Count me in", "--reply", first.id, "--quote", "Who's in for Saturday?");

    // Bob replies through the menu; Carol sees the quote.
    await menu(bob.page, "Who's in for Saturday?", "Reply");
    await shoot(bob.page, "3-reply-bar");
    await send(bob.page, "Me too!");
    await bubble(carol.page, "Me too!").waitFor({ timeout: UI_TIMEOUT });
    expect(await bubble(carol.page, "Me too!").locator(".quote").textContent()).toContain(
      "Who's in for Saturday?",
    );
    await bubble(carol.page, "Count me in").waitFor({ timeout: UI_TIMEOUT });

    // Carol reacts; everyone sees it.
    await bubble(carol.page, "Who's in for Saturday?").hover();
    await bubble(carol.page, "Who's in for Saturday?").getByRole("button", { name: "Message menu" }).click();
    await shoot(carol.page, "4-message-menu");
    await carol.page.getByRole("menuitem", { name: "React 👍" }).click();
    for (const p of [alice.page, bob.page])
      await expect
        .poll(
          () =>
            p
              .locator(".row")
              .filter({ has: p.locator(".text", { hasText: "Who's in for Saturday?" }) })
              .locator(".reaction")
              .allTextContents(),
          {
            timeout: UI_TIMEOUT,
          },
        )
        .toEqual(["👍"]);

    // Bob and Carol have the chat open: read; Dave polled with read receipts off: delivered.
    await alice.page
      .locator(".row.out .bubble")
      .first()
      .locator('[data-status="delivered"]')
      .waitFor({ timeout: UI_TIMEOUT });
    await menu(alice.page, "Who's in for Saturday?", "Info");
    const info = alice.page.getByRole("region", { name: "Message info" });
    await expect
      .poll(() => info.locator('[data-status="read"] .member-name').allTextContents(), {
        timeout: UI_TIMEOUT,
      })
      .toEqual(["Bob", "Carol"]);
    await expect
      .poll(() => info.locator('[data-status="delivered"] .member-name').allTextContents(), {
        timeout: UI_TIMEOUT,
      })
      .toEqual([expect.stringMatching(/^~ Dave|^[A-Za-z0-9_-]{8}…/)]);
    await shoot(alice.page, "5-message-info");
    await info.getByRole("button", { name: "Back to chats" }).click();

    // Delete for everyone: gone for all, the bubble says so.
    await menu(bob.page, "Me too!", "Delete for everyone");
    for (const p of [alice.page, carol.page])
      await p
        .locator(".bubble.deleted", { hasText: "This message was deleted" })
        .waitFor({ timeout: UI_TIMEOUT });
    const daveLater = (await dave("poll", "--json")).map((l) => JSON.parse(l));
    expect(daveLater).toContainEqual(expect.objectContaining({ kind: "delete", group: gid }));
    await shoot(alice.page, "6-group-chat");

    // Carol leaves; the others see three members, Carol can no longer write.
    await carol.page.getByRole("button", { name: "Group info" }).click();
    // Alice's picture came with her profile.
    const alicesRow = carol.page.locator(`.member-list li[data-member="${alice.address}"]`);
    expect(await alicesRow.locator('img.avatar[src^="data:image/jpeg"]').count()).toBe(1);
    await shoot(carol.page, "7-group-info");
    await carol.page.getByRole("button", { name: "Leave group" }).click();
    await carol.page
      .getByText("You are no longer a member of this group.")
      .first()
      .waitFor({ timeout: UI_TIMEOUT });
    await alice.page.getByRole("button", { name: "Group info" }).click();
    await expect.poll(() => alice.page.locator(".member-list li").count(), { timeout: UI_TIMEOUT }).toBe(3);
    await shoot(alice.page, "8-group-info-admin");
    const daveGroup = await dave("poll", "--json").then(() => dave("group", "show", gid, "--json"));
    expect(JSON.parse(daveGroup[0]).members).not.toContain(carol.address);
    expect(JSON.parse(daveGroup[0]).members).toHaveLength(3);

    await alice.page.getByRole("button", { name: "Back to chats" }).click();
    await send(alice.page, "See you Saturday");
    await bubble(bob.page, "See you Saturday").waitFor({ timeout: UI_TIMEOUT });
    expect(await carol.page.locator(".bubble", { hasText: "See you Saturday" }).count()).toBe(0);

    await alice.page.getByRole("button", { name: "Close chat" }).click();
    await alice.page.getByRole("button", { name: "Settings", exact: true }).click();
    await shoot(alice.page, "9-settings-profile");
    await alice.page.getByRole("button", { name: "Back to chats" }).click();

    // Scrolled up in a long chat, Bob keeps his place; "↓ 2" counts what came meanwhile.
    await alice.page.locator(".chat-item", { hasText: "Trip" }).click();
    for (let i = 1; i <= 20; i++) await send(alice.page, `Packing list item #${i}.`);
    await bubble(bob.page, "Packing list item #20.").waitFor({ timeout: UI_TIMEOUT });
    await bob.page.locator(".messages").evaluate((el) => {
      el.scrollTop = 0;
    });
    await send(alice.page, "One more thing");
    await send(alice.page, "And another");
    await bob.page.getByRole("button", { name: "2 new below" }).waitFor({ timeout: UI_TIMEOUT });
    expect(await bob.page.locator(".messages").evaluate((el) => el.scrollTop)).toBeLessThan(50);
    await shoot(bob.page, "10-new-below");
    await bob.page.getByRole("button", { name: "2 new below" }).click();
    expect(await bob.page.getByRole("button", { name: /new below/ }).count()).toBe(0);

    // Too long: a counter and a warning instead of silent truncation.
    await bob.page.getByLabel("Message", { exact: true }).fill("x".repeat(12_050));
    await bob.page
      .getByText("Too long by 50 characters (the limit is 12,000)")
      .waitFor({ timeout: UI_TIMEOUT });
    expect(await bob.page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    await shoot(bob.page, "11-too-long");
    await bob.page.getByLabel("Message", { exact: true }).fill("");

    // A phone's first run shows the address, its copy and share buttons and the link right away.
    const phone = await world!.browser.newContext({
      viewport: PHONE,
      permissions: ["clipboard-read", "clipboard-write"],
    });
    world!.contexts.push(phone);
    const fresh = await phone.newPage();
    await fresh.goto(`${world!.site.url}/?node=${encodeURIComponent(nodes[0].apiUrl)}`);
    await fresh.getByRole("button", { name: "Use this node" }).click({ timeout: UI_TIMEOUT });
    await fresh.locator("#my-address-phone").waitFor({ state: "visible", timeout: UI_TIMEOUT });
    await shoot(fresh, "12-phone-first-run");

    // Share hands the #add= link to the system's share sheet; a browser without one copies it.
    // (Chromium's clipboard answers only the page in front; shoot left the desktop size.)
    await fresh.bringToFront();
    await fresh.setViewportSize(PHONE);
    await fresh.evaluate(() => {
      const page = window as unknown as { sharedUrl?: string };
      Object.defineProperty(navigator, "share", {
        configurable: true,
        value: async (data: { url: string }) => {
          page.sharedUrl = data.url;
        },
      });
    });
    await fresh.getByRole("button", { name: "Share your link" }).click();
    const sharedUrl = await fresh.evaluate(() => (window as unknown as { sharedUrl?: string }).sharedUrl);
    expect(sharedUrl).toMatch(/#add=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{4}$/);
    await fresh.evaluate(() =>
      Object.defineProperty(navigator, "share", { configurable: true, value: undefined }),
    );
    await fresh.getByRole("button", { name: "Share your link" }).click();
    await fresh.locator(".phone-only .copied", { hasText: "Link copied" }).waitFor({ timeout: UI_TIMEOUT });
    expect(await fresh.evaluate(() => navigator.clipboard.readText())).toBe(sharedUrl);

    // A shared link carries a checksum: one mistyped character is refused, the real link starts a chat.
    // (A link differing only after # would not reload the page, so each is opened from a blank one.)
    const shared = addressFragment(alice.address);
    const typo = shared.replace(/add=(.)/, (_, c: string) => `add=${c === "A" ? "B" : "A"}`);
    const opener = `${world!.site.url}/?node=${encodeURIComponent(nodes[0].apiUrl)}`;
    await fresh.goto("about:blank");
    await fresh.goto(`${opener}${typo}`);
    await fresh.getByLabel("Name", { exact: true }).fill("Alice");
    await fresh.getByRole("button", { name: "Add contact" }).click();
    await fresh
      .getByText("Address does not match its checksum: a character was mistyped.")
      .waitFor({ timeout: UI_TIMEOUT });
    await shoot(fresh, "14-link-typo");
    await fresh.goto("about:blank");
    await fresh.goto(`${opener}${shared}`);
    expect(await fresh.getByLabel("Address", { exact: true }).inputValue()).toBe(shared);
    await fresh.getByLabel("Name", { exact: true }).fill("Alice");
    await fresh.getByRole("button", { name: "Add contact" }).click();
    await fresh.locator(".conv-title h2", { hasText: "Alice" }).waitFor({ timeout: UI_TIMEOUT });
    expect(fresh.url()).not.toContain("#add=");

    // No node answers any more (Bob's app would move to the other node of the ring while one
    // does): the conversation itself says so, also on a phone.
    await nodes[1].stop();
    await nodes[0].stop();
    await bob.page.locator(".subtitle.offline").waitFor({ timeout: 40_000 });
    await shoot(bob.page, "13-conversation-offline");
  }, 240_000);
});
