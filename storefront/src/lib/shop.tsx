// What every page reaches through React context: the session, the cart, the connection status.
import { createContext, useContext } from 'react';
import { addToCart, parseCart, removeFromCart, setQuantity, type Cart, type CartLine } from './cart';
import type { Session, SessionSnapshot } from './session';
import type { ConnectionSnapshot, ConnectionStatus } from './status';
import { useStore } from './store';

const CART_KEY = 'storefront.cart';

export class CartStore {
  private cart: Cart;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage) {
    this.cart = parseCart(storage.getItem(CART_KEY));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Cart => this.cart;

  private set(cart: Cart): void {
    this.cart = cart;
    if (cart.length) this.storage.setItem(CART_KEY, JSON.stringify(cart));
    else this.storage.removeItem(CART_KEY);
    for (const listener of this.listeners) listener();
  }

  /** Another tab changed the cart. */
  reload(): void {
    this.cart = parseCart(this.storage.getItem(CART_KEY));
    for (const listener of this.listeners) listener();
  }

  add(item: Omit<CartLine, 'quantity'>): void {
    this.set(addToCart(this.cart, item));
  }

  setQuantity(sku: string, quantity: number): void {
    this.set(setQuantity(this.cart, sku, quantity));
  }

  remove(sku: string): void {
    this.set(removeFromCart(this.cart, sku));
  }

  clear(): void {
    this.set([]);
  }
}

export interface ShopServices {
  session: Session;
  cart: CartStore;
  status: ConnectionStatus;
}

export const ShopContext = createContext<ShopServices | null>(null);

export function useShop(): ShopServices {
  const services = useContext(ShopContext);
  if (!services) throw new Error('useShop outside <ShopContext>');
  return services;
}

export function useSession(): SessionSnapshot {
  return useStore(useShop().session);
}

export function useCart(): Cart {
  return useStore(useShop().cart);
}

export function useConnection(): ConnectionSnapshot {
  return useStore(useShop().status);
}
