import { Flags } from '@oclif/core';
import { GwCommand, GwUserError } from '../../cli/baseCommand.js';
import { checkPipeline, parseCurrencyFlag, readPrices, renderVideoCap, setVideoCap, updatePrice, videoCapSettings } from '../../cli/services/prices.js';
import type { PricesResponse } from '../../api/contract.js';

/** Sets the video price cap, a per-capability AI max price, or a customer price. */
export default class PriceSet extends GwCommand {
  static override description =
    'Set what the gateway pays at most (video cap, or per AI pipeline/model) or what it charges its customers; applied live and persisted';

  static override examples = [
    '<%= config.bin %> price set --max-price-per-unit 1200 --pixels-per-unit 1',
    '<%= config.bin %> price set --max-price-per-unit 0.000000000000001 --currency ETH',
    '<%= config.bin %> price set --max-price-per-unit 0.02 --pixels-per-unit 1000000 --currency USD',
    '<%= config.bin %> price set --pipeline text-to-image --model stabilityai/sdxl-turbo --max-price-per-unit 4768371 --pixels-per-unit 1000',
    '<%= config.bin %> price set --pipeline llm --model default --max-price-per-unit 50000000',
    '<%= config.bin %> price set --pipeline llm --model default --remove',
    '<%= config.bin %> price set --customer --pipeline llm --model default --price-per-unit 60000000',
  ];

  static override flags = {
    'max-price-per-unit': Flags.string({ description: 'Max price in --currency per --pixels-per-unit units (video: pixels; AI: the pipeline unit); 0 clears the video cap' }),
    'pixels-per-unit': Flags.string({ description: 'Units the price is quoted for (positive integer)', default: '1' }),
    currency: Flags.string({ description: 'wei (default), ETH, or USD (converted with the ETH/USD price feed, re-read hourly)', options: ['wei', 'ETH', 'eth', 'USD', 'usd'] }),
    pipeline: Flags.string({ description: 'AI pipeline, e.g. text-to-image, llm (a per-capability price instead of the video cap)' }),
    model: Flags.string({ description: 'Model id, or "default" for every model of the pipeline without its own price', default: 'default' }),
    customer: Flags.boolean({ description: 'Set the price this gateway charges its customers (listed in GET /capabilities)' }),
    'price-per-unit': Flags.string({ description: 'With --customer: the price charged per --pixels-per-unit units' }),
    remove: Flags.boolean({ description: 'Remove the --pipeline/--model entry instead of setting it' }),
  };

  async run(): Promise<{ target: string; prices?: PricesResponse; video?: { maxPricePerUnit: string; pixelsPerUnit: string } }> {
    const { flags } = await this.parse(PriceSet);
    const paths = this.pathsFor(flags);
    const currency = parseCurrencyFlag(flags.currency);
    const applied = (t: string) => (t === 'daemon' ? 'applied live and saved' : 'saved; used at the next start');
    if (flags.customer || flags.pipeline) {
      if (!flags.pipeline) throw new GwUserError('--customer needs --pipeline (and --model, default "default")', 'invalid_price');
      const pipeline = checkPipeline(flags.pipeline);
      const amount = flags.customer ? (flags['price-per-unit'] ?? flags['max-price-per-unit']) : flags['max-price-per-unit'];
      if (!flags.remove && amount === undefined) throw new GwUserError(flags.customer ? '--customer needs --price-per-unit N' : '--pipeline needs --max-price-per-unit N (or --remove)', 'invalid_price');
      const { prices, target } = await updatePrice(paths, {
        target: flags.customer ? 'customer' : 'max',
        pipeline,
        modelId: flags.model,
        ...(flags.remove ? { remove: true } : { pricePerUnit: amount!, pixelsPerUnit: flags['pixels-per-unit'], currency }),
      });
      const what = `${flags.customer ? 'customer price' : 'max price'} for ${pipeline} / ${flags.model}`;
      this.log(flags.remove ? `${what} removed (${applied(target)})` : `${what} = ${amount} ${currency} per ${flags['pixels-per-unit']} unit(s) (${applied(target)})`);
      return { target, prices };
    }
    if (flags['max-price-per-unit'] === undefined) throw new GwUserError('nothing to set: give --max-price-per-unit (video cap), or --pipeline/--customer for AI prices', 'invalid_price');
    if (flags.remove) throw new GwUserError('--remove needs --pipeline (to clear the video cap, set --max-price-per-unit 0)', 'invalid_price');
    const video = videoCapSettings(flags['max-price-per-unit'], flags['pixels-per-unit'], currency);
    const target = await setVideoCap(paths, video);
    if (video.maxPricePerUnit === '0') this.warn('video cap is 0: the gateway is now accepting any price');
    else if (currency !== 'USD') this.log(`video cap = ${video.maxPricePerUnit} wei per ${video.pixelsPerUnit} pixel(s) (${applied(target)})`);
    else {
      this.log(`video cap = ${flags['max-price-per-unit']} USD per ${video.pixelsPerUnit} pixel(s) (${applied(target)})`);
      // The wei it stands for depends on the daemon's current ETH/USD rate.
      if (target === 'daemon') for (const line of renderVideoCap((await readPrices(paths)).prices)) this.log(line);
    }
    return { target, video };
  }
}
