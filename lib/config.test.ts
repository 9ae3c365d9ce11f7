import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config";

describe("parseConfig", () => {
  it("has zero-setup defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      databaseUrl: "file:./data/events.db",
      databaseKind: "sqlite",
      signatureConfigured: false,
      signatureMaxAgeSeconds: 86400,
    });
    expect(config.sqlitePath).toMatch(/\/data\/events\.db$/);
  });

  it("reads one secret, a rotation, and api_key pairs", () => {
    expect(parseConfig({ VONAGE_SIGNATURE_SECRET: "abc" }).signatureSecrets.any).toEqual(["abc"]);
    expect(parseConfig({ VONAGE_SIGNATURE_SECRET: "old, new" }).signatureSecrets.any).toEqual(["old", "new"]);
    const pairs = parseConfig({ VONAGE_SIGNATURE_SECRET: "k1:s1,k2:s2,k1:s3" }).signatureSecrets;
    expect(pairs.any).toEqual([]);
    expect(Object.fromEntries(pairs.byApiKey)).toEqual({ k1: ["s1", "s3"], k2: ["s2"] });
  });

  it("names every problem at once", () => {
    try {
      parseConfig({
        PORT: "seventy",
        DATABASE_URL: "mysql://x",
        SIGNATURE_MAX_AGE_SECONDS: "-5",
        VONAGE_SIGNATURE_SECRET: "a,,b",
        PUBLIC_URL: "not a url",
        DASHBOARD_PASSWORD: "short",
        DASHBOARD_API_TOKEN: "tiny",
        SESSION_SECRET: "too-short",
        TRUST_PROXY: "perhaps",
        VONAGE_SMS_SIGNATURE_METHOD: "sha3",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of [
        "PORT",
        "DATABASE_URL",
        "SIGNATURE_MAX_AGE_SECONDS",
        "VONAGE_SIGNATURE_SECRET",
        "PUBLIC_URL",
        "DASHBOARD_PASSWORD",
        "DASHBOARD_API_TOKEN",
        "SESSION_SECRET",
        "TRUST_PROXY",
        "VONAGE_SMS_SIGNATURE_METHOD",
      ]) {
        expect(problems).toContain(name);
      }
    }
  });

  it("keeps generated secrets beside the SQLite file unless DATA_DIR says otherwise", () => {
    expect(parseConfig({ DATABASE_URL: "file:/tmp/x/events.db" }).dataDir).toBe("/tmp/x");
    expect(parseConfig({ DATABASE_URL: "file:/tmp/x/events.db", DATA_DIR: "/srv/console" }).dataDir).toBe("/srv/console");
    expect(parseConfig({ TRUST_PROXY: "true", SESSION_MAX_AGE_SECONDS: "3600" })).toMatchObject({
      trustProxy: true,
      sessionMaxAgeSeconds: 3600,
    });
  });

  it("reads the SMS API signature settings, its maximum age defaulting to the JWT one", () => {
    expect(
      parseConfig({ VONAGE_SMS_SIGNATURE_SECRET: "old,new", VONAGE_SMS_SIGNATURE_METHOD: "SHA256", SIGNATURE_MAX_AGE_SECONDS: "600" }),
    ).toMatchObject({
      smsSignatureSecrets: ["old", "new"],
      smsSignatureMethod: "sha256",
      smsSignatureMaxAgeSeconds: 600,
    });
    expect(parseConfig({ SMS_SIGNATURE_MAX_AGE_SECONDS: "259200" })).toMatchObject({
      smsSignatureSecrets: [],
      smsSignatureMethod: "md5hash",
      smsSignatureMaxAgeSeconds: 259200,
    });
  });

  it("reads ALLOWED_ORIGINS as origins, refusing anything with a path", () => {
    expect(parseConfig({}).allowedOrigins).toEqual([]);
    expect(parseConfig({ ALLOWED_ORIGINS: "https://Console.Example.com, http://10.0.0.5:8080/" }).allowedOrigins).toEqual([
      "https://console.example.com",
      "http://10.0.0.5:8080",
    ]);
    for (const bad of [
      "console.example.com",
      "https://console.example.com/app",
      "ftp://x.example",
      "https://a.example,,https://b.example?x",
    ]) {
      expect(() => parseConfig({ ALLOWED_ORIGINS: bad }), bad).toThrow(/ALLOWED_ORIGINS/);
    }
  });

  it("treats empty variables as unset", () => {
    expect(parseConfig({ PORT: "", VONAGE_SIGNATURE_SECRET: " " })).toMatchObject({ port: 3000, signatureConfigured: false });
  });
});
